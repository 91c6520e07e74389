/**
 * The one place that decides whether a bucket and key are served, and
 * builds the ObjectRef (owner, payer) every S3 call for them carries.
 */
import type { BucketPolicy } from '../config';
import { HttpError } from '../http/HttpError';
import type { ObjectRef } from '../s3/objectParams';

/** A bucket/key the policy serves, with the parameters of every S3 call for it. */
export interface ServedObject {
  bucket: string;
  key: string;
  policy: BucketPolicy;
  ref: ObjectRef;
}

export const refFor = (policy: BucketPolicy, key: string): ObjectRef => ({
  bucket: policy.name,
  key,
  expectedOwner: policy.expectedOwner,
  requesterPays: policy.requesterPays,
});

/** The policy of a served bucket, or 403 BucketNotServed. */
export const servedBucket = (buckets: ReadonlyMap<string, BucketPolicy>, bucket: string): BucketPolicy => {
  const policy = buckets.get(bucket);
  if (!policy) throw new HttpError(403, 'BucketNotServed', 'This proxy does not serve that bucket.');
  return policy;
};

/** Whether `keyOrPrefix` lies under the bucket's served prefix. */
export const underServedPrefix = (policy: BucketPolicy, keyOrPrefix: string): boolean => keyOrPrefix.startsWith(policy.prefix);

/**
 * The served object for a bucket and an already validated key, or 403
 * (BucketNotServed, KeyNotServed).
 *
 * @example
 * servedObject(config.buckets, 'demo', 'samples/a.bin').ref // { bucket: 'demo', key: 'samples/a.bin', expectedOwner, requesterPays }
 */
export const servedObject = (buckets: ReadonlyMap<string, BucketPolicy>, bucket: string, key: string): ServedObject => {
  const policy = servedBucket(buckets, bucket);
  if (!underServedPrefix(policy, key)) throw new HttpError(403, 'KeyNotServed', 'This proxy does not serve that key.');
  return { bucket, key, policy, ref: refFor(policy, key) };
};
