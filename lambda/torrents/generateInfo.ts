import type { S3Client } from '@aws-sdk/client-s3';
import { buildInfo } from '../metainfo/buildMetainfo';
import type { ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import type { Segment } from './hashFiles';
import { hashObjectRange, type GenerateOptions } from './hashObject';

export type { Segment } from './hashFiles';

/**
 * Splits an object (or a folder's concatenated files) into segments of whole
 * pieces, each at most `segmentBytes` long (rounded up to whole pieces). The
 * proxy's own fan-out plans with lambda/fanout/segmentPlan.ts; this fixed-size
 * split remains for the hashing tests and bench/.
 */
export const planSegments = (size: number, pieceLength: number, segmentBytes: number): Segment[] => {
  const segLength = Math.max(1, Math.ceil(segmentBytes / pieceLength)) * pieceLength;
  const out: Segment[] = [];
  for (let start = 0; start < size; start += segLength) out.push({ start, end: Math.min(size, start + segLength) });
  return out;
};

/** How often a fan-out build reports progress while its segments run. */
export const FANOUT_HEARTBEAT_MS = 10_000;

/** Hashes one segment in this process and returns its piece digests. */
export type SegmentRunner = (segment: Segment, index: number) => Promise<Buffer>;

/**
 * The piece digests of `segments`, each hashed by `run` (all at once), checked
 * for their digest count and joined in order. Segments report nothing until
 * they finish: finished bytes are counted, and a heartbeat keeps going
 * meanwhile so a poller never takes a long fan-out for a dead build.
 */
export const joinSegments = async (
  segments: readonly Segment[],
  pieceLength: number,
  run: SegmentRunner,
  onProgress?: (bytesDone: number) => void,
): Promise<Buffer> => {
  let done = 0;
  const beat = setInterval(() => onProgress?.(done), FANOUT_HEARTBEAT_MS);
  beat.unref();
  try {
    const digests = await Promise.all(
      segments.map(async (seg, i) => {
        const d = await run(seg, i);
        const expected = Math.ceil((seg.end - seg.start) / pieceLength) * 20;
        if (d.length !== expected) throw new Error(`segment ${i} returned ${d.length} digest bytes, expected ${expected}`);
        done += seg.end - seg.start;
        onProgress?.(done);
        return d;
      }),
    );
    return Buffer.concat(digests);
  } finally {
    clearInterval(beat);
  }
};

/**
 * The bencoded info dictionary of the whole object, in one pass. With
 * `segmentBytes` and `runSegment` an object larger than `segmentBytes` is
 * split into segments hashed by `runSegment` in parallel in this process and
 * joined in order (each segment's digest count checked). The proxy no longer
 * passes `runSegment` (its fan-out is lambda/fanout, on Step Functions in
 * AWS); bench/ and test/unit/torrents/fanoutProgress.test.ts still do.
 */
export const generateInfo = async (
  client: S3Client,
  ref: ObjectRef,
  head: ObjectHead,
  opts: GenerateOptions & { segmentBytes?: number; runSegment?: SegmentRunner },
): Promise<Buffer> => {
  const segments = opts.segmentBytes ? planSegments(head.size, opts.pieceLength, opts.segmentBytes) : [{ start: 0, end: head.size }];
  const pieces =
    segments.length === 1 || !opts.runSegment
      ? await hashObjectRange(client, ref, head, { start: 0, end: head.size }, opts)
      : await joinSegments(segments, opts.pieceLength, opts.runSegment, opts.onProgress);
  return buildInfo({ name: opts.name, length: head.size, pieceLength: opts.pieceLength, pieces, private: opts.private });
};
