import { Annotations, Token, type Stack } from 'aws-cdk-lib';
import { ConfigError, parseBucketPolicies, type BucketPolicy } from '../../lambda/config';
import { SettingsError, type ServedBucketInput } from '../settings';

/** Served when no bucket is configured, so a first synth works; it comes with a warning. */
export const EXAMPLE_BUCKET = 'example-bucket';

/**
 * The served buckets as the functions will read them: the stack account fills a missing
 * expectedOwner, and the Lambda's own parser validates them so a bad entry fails at synth,
 * not at cold start.
 */
export const resolveServedBuckets = (stack: Stack, servedBuckets: ServedBucketInput[] = []): BucketPolicy[] => {
  const owner = Token.isUnresolved(stack.account) ? undefined : stack.account;
  let input = servedBuckets;
  if (input.length === 0) {
    Annotations.of(stack).addWarningV2(
      's3-torrent-proxy:exampleBucket',
      `No servedBuckets configured: serving the placeholder bucket "${EXAMPLE_BUCKET}". Set servedBuckets in cdk.json's context, in infra/config.json, or with -c servedBuckets='[{"name":"my-bucket"}]' (docs/DEPLOY.md).`,
    );
    input = [{ name: EXAMPLE_BUCKET }];
  }
  const withOwner = input.map((b) => {
    const expectedOwner = b.expectedOwner ?? owner;
    if (!expectedOwner) throw new SettingsError(`servedBuckets[${b.name}].expectedOwner`, 'is required when the stack account is not known at synth time');
    if (b.prefix && /[*?]|\$\{/.test(b.prefix)) throw new SettingsError(`servedBuckets[${b.name}].prefix`, 'must not contain "*", "?" or "${" (IAM wildcards)');
    return { ...b, expectedOwner };
  });
  try {
    return [...parseBucketPolicies(JSON.stringify(withOwner)).values()];
  } catch (e) {
    if (e instanceof ConfigError) throw new SettingsError('servedBuckets', e.message);
    throw e;
  }
};
