import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { HttpError } from '../http/HttpError';
import type { AppLogger } from '../observability/logger';
import { parseSegmentEvent, type SegmentResult } from './fanoutEvents';
import { segmentKey } from './fanoutModel';
import { resolveSource, type ServedSource, type SourceDeps } from './resolveSource';
import type { PlannedSegment } from './segmentPlan';

type SourceOf<K extends ServedSource['kind']> = Extract<ServedSource, { kind: K }>;

/** The SHA-1 digests (20 bytes per piece, in order) of one piece-aligned range of a source. */
export type RangeHasher<S extends ServedSource = ServedSource> = (source: S, segment: PlannedSegment, pieceLength: number) => Promise<Buffer>;

/** A range hasher per kind of source; a deployment without the folder one refuses folder segments. */
export interface RangeHashers {
  object: RangeHasher<SourceOf<'object'>>;
  folder?: RangeHasher<SourceOf<'folder'>>;
}

/** Where segment digests go: the stack's cache bucket, under `<cachePrefix>segments/<build>/`. */
export interface SegmentStore {
  s3: S3Client;
  cacheBucket: string;
  cachePrefix: string;
  expectedOwner?: string;
}

export interface SegmentHandlerDeps extends SourceDeps, SegmentStore {
  hashRange: RangeHashers;
}

/** The digests a range of `bytes` bytes has. */
export const piecesOf = (segment: PlannedSegment, pieceLength: number): number => Math.ceil((segment.end - segment.start) / pieceLength);

/**
 * One Map iteration: hashes one segment and writes its digests to the cache
 * bucket for the join, returning only their count (the digests of a 20 GiB
 * segment are 25 KiB; a Step Functions payload holds 256 KiB in all).
 * Nothing is written unless the whole range was read and hashed.
 *
 * @example
 * await segmentHandler(deps)({ build, source, pieceLength, segment: { index: 0, start: 0, end } }, log) // { index: 0, pieces: 1280 }
 */
export const segmentHandler =
  (deps: SegmentHandlerDeps) =>
  async (event: unknown, log: AppLogger): Promise<SegmentResult> => {
    const e = parseSegmentEvent(event);
    const source = await resolveSource(deps, e.source, log);
    let digests: Buffer;
    if (source.kind === 'object') digests = await deps.hashRange.object(source, e.segment, e.pieceLength);
    else if (deps.hashRange.folder) digests = await deps.hashRange.folder(source, e.segment, e.pieceLength);
    else throw new HttpError(400, 'InvalidEvent', 'this deployment does not hash folder segments');
    const pieces = piecesOf(e.segment, e.pieceLength);
    if (digests.length !== pieces * 20) throw new Error(`segment ${e.segment.index} hashed to ${digests.length} digest bytes, expected ${pieces * 20}`);
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.cacheBucket,
        Key: segmentKey(deps.cachePrefix, e.build, e.segment.index),
        Body: digests,
        ContentType: 'application/octet-stream',
        ExpectedBucketOwner: deps.expectedOwner,
      }),
    );
    log.info('fan-out segment hashed', { build: e.build, index: e.segment.index, bytes: e.segment.end - e.segment.start, pieces });
    return { index: e.segment.index, pieces };
  };
