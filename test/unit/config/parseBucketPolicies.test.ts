import { parseBucketPolicies } from '../../../lambda/config';

describe('parseBucketPolicies', () => {
  test('reads the doc example', () => {
    expect(parseBucketPolicies('[{"name":"demo","expectedOwner":"123456789000"}]')).toEqual(
      new Map([['demo', { name: 'demo', expectedOwner: '123456789000', requesterPays: false, prefix: '', source: 'auto' }]]),
    );
  });
});
