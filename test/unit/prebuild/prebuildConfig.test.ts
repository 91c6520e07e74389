import { parseBucketPolicies } from '../../../lambda/config';
import { prebuildsKey } from '../../../lambda/prebuild/prebuildObject';

const OWNER = '123456789000';
const policyOf = (entry: Record<string, unknown>) => parseBucketPolicies(JSON.stringify([{ name: 'media', expectedOwner: OWNER, ...entry }])).get('media')!;
const problem = (entry: Record<string, unknown>) => {
  try {
    policyOf(entry);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('the per-bucket prebuild setting', () => {
  test('is off unless asked for, and true pre-builds every served key', () => {
    expect([policyOf({}).prebuild, policyOf({ prebuild: false }).prebuild, policyOf({ prefix: 'pub/', prebuild: true }).prebuild]).toEqual([
      undefined,
      undefined,
      { prefixes: ['pub/'] },
    ]);
  });

  test('takes prefixes under the served prefix, once each, and survives the round trip the stack makes through SERVED_BUCKETS', () => {
    const policy = policyOf({ prefix: 'pub/', prebuild: { prefixes: ['pub/uploads/', 'pub/uploads/', 'pub/films/'] } });
    const again = parseBucketPolicies(JSON.stringify([policy])).get('media')!;
    expect([policy.prebuild, again]).toEqual([{ prefixes: ['pub/uploads/', 'pub/films/'] }, policy]);
  });

  test.each([
    [{ prebuild: 'yes' }, 'Invalid configuration: SERVED_BUCKETS[0].prebuild must be true, false or { "prefixes": [non-empty list of strings] }'],
    [{ prebuild: { prefixes: [] } }, 'Invalid configuration: SERVED_BUCKETS[0].prebuild must be true, false or { "prefixes": [non-empty list of strings] }'],
    [
      { prefix: 'pub/', prebuild: { prefixes: ['private/'] } },
      'Invalid configuration: SERVED_BUCKETS[0].prebuild.prefixes has "private/", which is not under the served prefix "pub/"',
    ],
    [
      { source: 'store', prebuild: true },
      'Invalid configuration: SERVED_BUCKETS[0].prebuild needs a bucket whose source builds torrents ("auto" or "generate"), not "store"',
    ],
  ])('refuses %j', (entry, message) => {
    expect(problem(entry)).toBe(message);
  });

  test('prebuildsKey: served keys under a prebuild prefix only', () => {
    const policy = policyOf({ prefix: 'pub/', prebuild: { prefixes: ['pub/uploads/'] } });
    expect(['pub/uploads/a b.bin', 'pub/films/a.bin', 'other/uploads/a.bin'].map((k) => prebuildsKey(policy, k))).toEqual([true, false, false]);
    expect(prebuildsKey(policyOf({}), 'any.bin')).toBe(false);
  });
});
