import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { EMBEDDED_ACCOUNT_ID, EMBEDDED_CREDENTIALS } from '../infra/local/embeddedS3';
import { loadConfig, type Config } from '../lambda/config';

export const SOURCE_BUCKET = 'bench-source';

/** The environment a deployment would have, against `endpoint`, with every tuning knob at its default. */
export const benchEnv = (endpoint: string, extra: Record<string, string> = {}): Record<string, string> => ({
  SERVED_BUCKETS: JSON.stringify([{ name: SOURCE_BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, source: 'generate' }]),
  LINK_KEYS: JSON.stringify({ active: 'bench', bench: randomBytes(32).toString('base64url') }),
  S3_ENDPOINT: endpoint,
  S3_FORCE_PATH_STYLE: 'true',
  AWS_REGION: 'us-east-1',
  ...extra,
});

/** The Lambda's own config for `endpoint` (defaults for READ_CONCURRENCY, READ_PART_BYTES...); sets the embedded server's credentials. */
export const benchConfig = (endpoint: string, extra: Record<string, string> = {}): Config => {
  process.env.AWS_ACCESS_KEY_ID = EMBEDDED_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  return loadConfig(benchEnv(endpoint, extra));
};

export const ensureBucket = async (s3: S3Client, bucket: string): Promise<void> => {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
};

/** One streamed PutObject (no multipart: s3rver accepts large single PUTs). */
export const putStream = async (s3: S3Client, bucket: string, key: string, body: Readable, size: number): Promise<void> => {
  await ensureBucket(s3, bucket);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: size }));
};
