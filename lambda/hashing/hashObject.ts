import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import { streamObjectRange } from '../s3/streamObjectRange';
import { buildInfo } from '../metainfo/buildMetainfo';
import { sharedHashPool, type HashPool } from './hashPool';
import { PieceBuffers, piecesPerBatch } from './pieceBuffers';
import { hashPieces } from './hashStream';

export interface GenerateOptions {
  pieceLength: number;
  name: string;
  /** Ranged reads in flight at once. */
  concurrency: number;
  /** Target bytes per ranged read; rounded up to whole pieces. */
  partBytes: number;
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
  attempts?: number;
  backoffMs?: number;
  /** Worker pool for SHA-1 (default: the process-wide pool, one worker per core). */
  pool?: HashPool;
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

/** A piece-aligned byte range [start, end) of an object, hashed as one unit of work. */
export interface Segment {
  start: number;
  end: number;
}

/**
 * Splits an object into `count`-bounded segments of whole pieces, each at
 * most `segmentBytes` long (rounded up to whole pieces): the unit handed to a
 * parallel worker (another Lambda invocation) for very large objects.
 */
export const planSegments = (size: number, pieceLength: number, segmentBytes: number): Segment[] => {
  const segLength = Math.max(1, Math.ceil(segmentBytes / pieceLength)) * pieceLength;
  const out: Segment[] = [];
  for (let start = 0; start < size; start += segLength) out.push({ start, end: Math.min(size, start + segLength) });
  return out;
};

/**
 * SHA-1 pieces of the bytes [segment.start, segment.end) of the object,
 * pinned to the measured version: piece-aligned ranged parts, `concurrency`
 * at a time, hashed on the worker pool with bounded buffers. Throws if any
 * part cannot be read in full; nothing partial is ever returned.
 */
export const hashObjectSegment = async (client: S3Client, ref: ObjectRef, head: ObjectHead, segment: Segment, opts: GenerateOptions): Promise<Buffer> => {
  const parts = planParts(segment.end - segment.start, opts.pieceLength, opts.partBytes).map(([a, b]) => [a + segment.start, b + segment.start] as const);
  const pool = opts.pool ?? sharedHashPool();
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
        const source = streamObjectRange(client, ref, { start, end, versionId: head.versionId, etag: head.etag }, {
          signal,
          attempts: opts.attempts,
          backoffMs: opts.backoffMs,
        });
        const { pieces, length } = await hashPieces(source, opts.pieceLength, ({ bytes }) => {
          progress[index] = bytes;
          opts.onProgress?.(sum(progress));
        }, { pool, buffers });
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

/** How often a fan-out build reports progress while its segments run. */
export const FANOUT_HEARTBEAT_MS = 10_000;

/** Hashes one segment somewhere (in this process, or another Lambda invocation) and returns its piece digests. */
export type SegmentRunner = (segment: Segment, index: number) => Promise<Buffer>;

/**
 * The bencoded info dictionary of the whole object. Objects larger than
 * `segmentBytes` are split into segments hashed by `runSegment` in parallel
 * (in AWS: concurrent invocations of the generate function) and joined in
 * order; each segment's digest count is checked before joining.
 */
export const generateInfo = async (
  client: S3Client,
  ref: ObjectRef,
  head: ObjectHead,
  opts: GenerateOptions & { segmentBytes?: number; runSegment?: SegmentRunner },
): Promise<Buffer> => {
  const segments = opts.segmentBytes ? planSegments(head.size, opts.pieceLength, opts.segmentBytes) : [{ start: 0, end: head.size }];
  let pieces: Buffer;
  if (segments.length === 1 || !opts.runSegment) {
    pieces = await hashObjectSegment(client, ref, head, { start: 0, end: head.size }, opts);
  } else {
    const run = opts.runSegment;
    // Segments report nothing until they finish: count finished bytes, and keep the heartbeat
    // going meanwhile so a poller never takes a long fan-out for a dead build.
    let done = 0;
    const beat = setInterval(() => opts.onProgress?.(done), FANOUT_HEARTBEAT_MS);
    beat.unref();
    try {
      const digests = await Promise.all(
        segments.map(async (seg, i) => {
          const d = await run(seg, i);
          const expected = Math.ceil((seg.end - seg.start) / opts.pieceLength) * 20;
          if (d.length !== expected) throw new Error(`segment ${i} returned ${d.length} digest bytes, expected ${expected}`);
          done += seg.end - seg.start;
          opts.onProgress?.(done);
          return d;
        }),
      );
      pieces = Buffer.concat(digests);
    } finally {
      clearInterval(beat);
    }
  }
  return buildInfo({ name: opts.name, length: head.size, pieceLength: opts.pieceLength, pieces });
};

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
