/** Bench data and settings: deterministic bytes, and the Lambda's own config pointed at the embedded S3 server. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EMBEDDED_ACCOUNT_ID, EMBEDDED_CREDENTIALS, ensureBucket } from '../../infra/local/embeddedS3';
import { loadConfig, type Config } from '../../lambda/config';
import type { HashPool } from '../../lambda/hashing/hashPool';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import type { ObjectHead } from '../../lambda/s3/headObject';
import type { ObjectRef } from '../../lambda/s3/objectParams';
import { generateInfo } from '../../lambda/torrents/generateInfo';

export const SOURCE_BUCKET = 'bench-source';

const CHUNK = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

/**
 * `size` deterministic pseudo-random bytes: the AES-128-CTR keystream of a
 * fixed key (several GB/s with AES-NI). No two pieces repeat, and a seed
 * gives the same bytes (and info-hash) on every run.
 */
export const pseudoRandomStream = (size: number, seed = 1): Readable => {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16));
  let left = size;
  return new Readable({
    highWaterMark: 2,
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(ZEROS.subarray(0, n)));
    },
  });
};

export const writeFixture = (path: string, size: number, seed = 1): Promise<void> => pipeline(pseudoRandomStream(size, seed), createWriteStream(path));

/** An object of the bench's source bucket, as the proxy addresses it. */
export const sourceRef = (key: string, bucket = SOURCE_BUCKET): ObjectRef => ({ bucket, key, expectedOwner: EMBEDDED_ACCOUNT_ID, requesterPays: false });

/**
 * The Lambda's own config (lambda/config) for a deployment against
 * `endpoint` with every tuning knob (READ_CONCURRENCY, READ_PART_BYTES...)
 * at its default. The SDK clients Lambda code creates read the embedded
 * server's credentials from the environment, so they are set here too.
 */
export const benchConfig = (endpoint: string, extra: Record<string, string> = {}): Config => {
  process.env.AWS_ACCESS_KEY_ID = EMBEDDED_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  return loadConfig({
    SERVED_BUCKETS: JSON.stringify([{ name: SOURCE_BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, source: 'generate' }]),
    LINK_KEYS: JSON.stringify({ active: 'bench', bench: randomBytes(32).toString('base64url') }),
    S3_ENDPOINT: endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    ...extra,
  });
};

/** One streamed PutObject into `ref`'s bucket, created if missing (s3rver takes large single PUTs). */
export const putObject = async (admin: S3Client, ref: ObjectRef, body: Readable | Buffer, size: number): Promise<void> => {
  await ensureBucket(admin, ref.bucket);
  await admin.send(new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, Body: body, ContentLength: size }));
};

/** The Lambda's generator (lambda/torrents/generateInfo.ts) with `config`'s read settings, as lambda/torrents/torrentBuilds.ts calls it. */
export const generateWith = (config: Config, client: S3Client, ref: ObjectRef, head: ObjectHead, pool: HashPool): Promise<Buffer> =>
  generateInfo(client, ref, head, {
    pieceLength: choosePieceLength(head.size),
    name: ref.key,
    concurrency: config.readConcurrency,
    partBytes: config.readPartBytes,
    segmentBytes: config.segmentBytes,
    pool,
  });
