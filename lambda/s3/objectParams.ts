/** Who owns a bucket and who pays: sent on every call to a served bucket. */
export interface ObjectRef {
  bucket: string;
  key: string;
  expectedOwner: string;
  requesterPays: boolean;
}

/** The SDK parameters every object call carries. */
export const objectParams = (ref: ObjectRef) => ({
  Bucket: ref.bucket,
  Key: ref.key,
  ExpectedBucketOwner: ref.expectedOwner,
  ...(ref.requesterPays ? { RequestPayer: 'requester' as const } : {}),
});
