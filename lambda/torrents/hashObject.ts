import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import { streamObjectRange, type StreamRangeOptions } from '../s3/streamObjectRange';
import { HashPool } from '../hashing/hashPool';
import { PieceBuffers, piecesPerBatch } from '../hashing/pieceBuffers';
import { hashStream } from '../hashing/hashStream';
import type { Segment } from './generateInfo';

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

/** Most memory piece buffers may take, unless one slot per reader needs more. */
export const PIECE_BUFFER_BUDGET = 96 * 1024 * 1024;

/** How many slots (of `slotLength` bytes) a build gets: enough to keep every reader and worker busy, within the budget. */
export const pieceBufferCount = (slotLength: number, readers: number, workers: number): number =>
  Math.max(readers + 1, Math.min(readers + 2 * workers, Math.floor(PIECE_BUFFER_BUDGET / slotLength)));

/** [start, end] inclusive byte ranges covering `size`, each a whole number of pieces. */
export const planParts = (size: number, pieceLength: number, partBytes: number): Array<[number, number]> => {
  const partLength = Math.max(1, Math.ceil(partBytes / pieceLength)) * pieceLength;
  const parts: Array<[number, number]> = [];
  for (let start = 0; start < size; start += partLength) parts.push([start, Math.min(size, start + partLength) - 1]);
  return parts;
};

/**
 * SHA-1 pieces of the bytes [segment.start, segment.end) of the object,
 * pinned to the measured version: piece-aligned ranged parts, `concurrency`
 * at a time, hashed on the worker pool with bounded buffers. Throws if any
 * part cannot be read in full; nothing partial is ever returned.
 */
export const hashObjectRange = async (client: S3Client, ref: ObjectRef, head: ObjectHead, segment: Segment, opts: GenerateOptions): Promise<Buffer> => {
  const pool = opts.pool ?? new HashPool();
  try {
    return await hashWithPool(client, ref, head, segment, opts, pool);
  } finally {
    if (!opts.pool) await pool.close();
  }
};

const hashWithPool = async (client: S3Client, ref: ObjectRef, head: ObjectHead, segment: Segment, opts: GenerateOptions, pool: HashPool): Promise<Buffer> => {
  const parts = planParts(segment.end - segment.start, opts.pieceLength, opts.partBytes).map(([a, b]) => [a + segment.start, b + segment.start] as const);
  const readers = Math.min(opts.concurrency, parts.length);
  // Batches of ~2 MiB of pieces per worker message, but never more than one part holds.
  const largestPart = parts.reduce((m, [a, b]) => Math.max(m, b - a + 1), 0);
  const batch = Math.min(piecesPerBatch(opts.pieceLength), Math.ceil(largestPart / opts.pieceLength));
  const buffers = new PieceBuffers(opts.pieceLength, pieceBufferCount(opts.pieceLength * batch, readers, pool.size), batch);
  const results: Buffer[] = new Array(parts.length);
  const progress = new Array<number>(parts.length).fill(0);
  let next = 0;
  let failed: unknown;
  const abort = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;

  const reader = async () => {
    while (failed === undefined && next < parts.length) {
      const index = next++;
      const [start, end] = parts[index];
      try {
        const source = streamObjectRange(
          client,
          ref,
          { start, end, versionId: head.versionId, etag: head.etag },
          {
            signal,
            attempts: opts.attempts,
            backoffMs: opts.backoffMs,
            log: opts.log,
          },
        );
        const { pieces, length } = await hashStream(
          source,
          opts.pieceLength,
          ({ bytes }) => {
            progress[index] = bytes;
            opts.onProgress?.(sum(progress));
          },
          { pool, buffers },
        );
        if (length !== end - start + 1) throw new Error(`part ${index} read ${length} of ${end - start + 1} bytes`);
        results[index] = pieces;
      } catch (err) {
        failed ??= err;
        abort.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: readers }, reader));
  if (failed !== undefined) throw failed;
  return Buffer.concat(results);
};

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
