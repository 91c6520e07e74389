import type { S3Client } from '@aws-sdk/client-s3';
import { HashPool } from '../hashing/hashPool';
import type { ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import type { StreamRangeOptions } from '../s3/streamObjectRange';
import { hashFiles, type Segment } from './hashFiles';

export { planParts } from './hashFiles';

export interface GenerateOptions {
  pieceLength: number;
  name: string;
  /** Set BEP 27 `private: 1` in the info dictionary. */
  private?: boolean;
  /** Ranged reads in flight at once. */
  concurrency: number;
  /** Target bytes per ranged read; rounded up to whole pieces. */
  partBytes: number;
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
  attempts?: number;
  backoffMs?: number;
  /** Worker pool for SHA-1 (compose's pool; default: one of its own for this call). */
  pool?: HashPool;
  /** Where resumed reads are reported (the request's logger). */
  log?: StreamRangeOptions['log'];
}

/**
 * SHA-1 pieces of the bytes [segment.start, segment.end) of the object,
 * pinned to the measured version: `hashFiles` over a list of one file
 * (piece-aligned ranged parts, `concurrency` at a time, hashed on the worker
 * pool with bounded buffers). Throws if any part cannot be read in full;
 * nothing partial is ever returned.
 */
export const hashObjectRange = async (client: S3Client, ref: ObjectRef, head: ObjectHead, segment: Segment, opts: GenerateOptions): Promise<Buffer> => {
  const pool = opts.pool ?? new HashPool();
  try {
    return await hashFiles(client, [{ ref, size: head.size, etag: head.etag, versionId: head.versionId }], segment, { ...opts, pool });
  } finally {
    if (!opts.pool) await pool.close();
  }
};
