import { parseBucketPolicies } from '../../../lambda/config';

describe('parseBucketPolicies', () => {
  test('reads the doc example', () => {
    expect(parseBucketPolicies('[{"name":"demo","expectedOwner":"123456789000"}]')).toEqual(
      new Map([
        ['demo', { name: 'demo', expectedOwner: '123456789000', requesterPays: false, prefix: '', source: 'auto', swarm: 'private', seeding: 'fallback' }],
      ]),
    );
  });

  test('reads a public swarm whose web seed always serves', () => {
    expect(parseBucketPolicies('[{"name":"demo","expectedOwner":"123456789000","swarm":"public","seeding":"always"}]').get('demo')).toMatchObject({
      swarm: 'public',
      seeding: 'always',
    });
  });
});
