/** The baselines item 1 (and bench/profileBuild.ts) measure the build against, on the same bytes. */
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Config } from '../../lambda/config';
import type { ObjectHead } from '../../lambda/s3/headObject';
import type { ObjectRef } from '../../lambda/s3/objectParams';
import { pipeObjectRange } from '../../lambda/s3/streamObjectRange';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import { planParts } from '../../lambda/torrents/hashObject';

/** Bytes of a stream, counted and dropped. */
export const drain = async (body: AsyncIterable<Uint8Array>): Promise<number> => {
  let n = 0;
  for await (const chunk of body) n += chunk.length;
  return n;
};

/**
 * The build's reads without the build: the same piece-aligned parts
 * (planParts with READ_PART_BYTES), READ_CONCURRENCY in flight, each through
 * the same pinned, resumable pipeObjectRange the build reads with, its
 * chunks counted and dropped. Returns the bytes read.
 */
export const drainParts = async (client: S3Client, ref: ObjectRef, head: ObjectHead, config: Config): Promise<number> => {
  const parts = planParts(head.size, choosePieceLength(head.size), config.readPartBytes);
  let next = 0;
  let total = 0;
  const reader = async () => {
    while (next < parts.length) {
      const [start, end] = parts[next++];
      await pipeObjectRange(client, ref, { start, end, etag: head.etag, versionId: head.versionId }, (chunk) => {
        total += chunk.length;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.readConcurrency, parts.length) }, reader));
  return total;
};

/**
 * SHA-1 of every `pieceLength` piece of `bytes` on this one thread (node
 * crypto, pieces at 64-byte-aligned offsets as `bytes` is): one core's cost of
 * the hashing itself, no reads, no copies. Returns the digests.
 */
export const sha1OneCore = (bytes: Uint8Array, pieceLength: number): Buffer => {
  const out = Buffer.allocUnsafe(Math.ceil(bytes.length / pieceLength) * 20);
  for (let off = 0, i = 0; off < bytes.length; off += pieceLength, i++) {
    createHash('sha1')
      .update(bytes.subarray(off, off + pieceLength))
      .digest()
      .copy(out, i * 20);
  }
  return out;
};
