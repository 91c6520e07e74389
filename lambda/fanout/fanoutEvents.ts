/**
 * The events of a fan-out build, as the state machine (or the local runner)
 * sends them: parsed once here into typed values, refused with 400
 * InvalidEvent otherwise, so the handlers never re-check a field.
 */
import { HttpError } from '../http/HttpError';
import { choosePieceLength } from '../metainfo/choosePieceLength';
import { objectKeyProblem } from '../policy/objectKeyProblem';
import { MAX_SEGMENTS } from './fanoutModel';
import type { PlannedSegment } from './segmentPlan';

/** The `action` of each step's event, as the function's dispatch and the state machine name them. */
export const FANOUT_ACTIONS = { segment: 'fanoutSegment', join: 'fanoutJoin', failed: 'fanoutFailed' } as const;

/** One object version, exactly as measured when the build started. */
export interface ObjectSource {
  kind: 'object';
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  size: number;
  /** LastModified, ms since the epoch. */
  lastModified?: number;
}

/** A folder snapshot: its manifest (cached beside the folder's torrent) by digest; its files' bytes end to end. */
export interface FolderSource {
  kind: 'folder';
  bucket: string;
  /** Ends with `/`. */
  prefix: string;
  /** The manifest's sha256 hex digest. */
  manifest: string;
  size: number;
}

export type FanoutSource = ObjectSource | FolderSource;

/** What every step of one build shares: the state machine's input without its segments. */
export interface FanoutBuild {
  /** Unique per build (the execution name): names the build's segment objects. */
  build: string;
  source: FanoutSource;
  pieceLength: number;
}

/** One Map iteration: hash this segment. */
export interface SegmentEvent extends FanoutBuild {
  segment: PlannedSegment;
}

/** The state machine's input, and what the join and the failed step receive. */
export interface FanoutInput extends FanoutBuild {
  segments: PlannedSegment[];
}

/** What a segment step returns: small, because a Step Functions payload is at most 256 KiB. */
export interface SegmentResult {
  index: number;
  pieces: number;
}

/** The error a Catch puts at `$.error`. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

export interface FailedEvent extends FanoutInput {
  error?: CaughtError;
}

const invalid = (why: string) => new HttpError(400, 'InvalidEvent', why);

/** Safe as a Step Functions execution name and as one S3 key segment. */
export const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
const HEX64 = /^[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const str = (o: Obj, name: string): string => {
  const v = o[name];
  if (typeof v !== 'string' || v === '') throw invalid(`${name} must be a non-empty string`);
  return v;
};

const parseSource = (v: unknown): FanoutSource => {
  if (!isObj(v)) throw invalid('source must be an object');
  const bucket = str(v, 'bucket');
  if (!isCount(v.size) || v.size === 0) throw invalid('source.size must be a positive whole number');
  if (v.kind === 'object') {
    const key = str(v, 'key');
    if (objectKeyProblem(key)) throw invalid('source.key is not a valid key');
    if (v.versionId !== undefined && typeof v.versionId !== 'string') throw invalid('source.versionId must be a string');
    if (v.lastModified !== undefined && !isCount(v.lastModified)) throw invalid('source.lastModified must be ms since the epoch');
    return {
      kind: 'object',
      bucket,
      key,
      versionId: v.versionId as string | undefined,
      etag: str(v, 'etag'),
      size: v.size,
      lastModified: v.lastModified as number | undefined,
    };
  }
  if (v.kind === 'folder') {
    const prefix = str(v, 'prefix');
    if (!prefix.endsWith('/') || objectKeyProblem(prefix)) throw invalid('source.prefix must be a valid prefix ending in "/"');
    const manifest = str(v, 'manifest');
    if (!HEX64.test(manifest)) throw invalid('source.manifest must be a sha256 hex digest');
    return { kind: 'folder', bucket, prefix, manifest, size: v.size };
  }
  throw invalid('source.kind must be "object" or "folder"');
};

const parseBuild = (e: unknown): FanoutBuild & { raw: Obj } => {
  if (!isObj(e)) throw invalid('the event must be an object');
  if (typeof e.build !== 'string' || !BUILD_ID.test(e.build)) throw invalid('build must be 1-80 letters, digits, "-" or "_"');
  const source = parseSource(e.source);
  // The piece length is the one the cache identity fixes for this size; any other would build a torrent nobody finds.
  if (e.pieceLength !== choosePieceLength(source.size)) throw invalid(`pieceLength must be ${choosePieceLength(source.size)} for ${source.size} bytes`);
  return { build: e.build, source, pieceLength: e.pieceLength, raw: e };
};

const parseSegment = (v: unknown, size: number, pieceLength: number, at: string): PlannedSegment => {
  if (!isObj(v) || !isCount(v.index) || !isCount(v.start) || !isCount(v.end)) throw invalid(`${at} must be { index, start, end } of whole numbers`);
  const { index, start, end } = v;
  if (start % pieceLength !== 0 || start >= end || end > size || (end !== size && (end - start) % pieceLength !== 0)) {
    throw invalid(`${at} must be whole pieces inside the source (only the last may end short)`);
  }
  return { index, start, end };
};

/** A Map iteration's event. */
export const parseSegmentEvent = (e: unknown): SegmentEvent => {
  const { raw, ...build } = parseBuild(e);
  return { ...build, segment: parseSegment(raw.segment, build.source.size, build.pieceLength, 'segment') };
};

/** The join's (and the failed step's) event: every segment, in order, covering the source exactly. */
export const parseFanoutInput = (e: unknown): FanoutInput => {
  const { raw, ...build } = parseBuild(e);
  if (!Array.isArray(raw.segments) || raw.segments.length === 0 || raw.segments.length > MAX_SEGMENTS) {
    throw invalid(`segments must be a list of 1 to ${MAX_SEGMENTS} segments`);
  }
  const segments = raw.segments.map((s, i) => parseSegment(s, build.source.size, build.pieceLength, `segments[${i}]`));
  segments.forEach((s, i) => {
    if (s.index !== i || s.start !== (i === 0 ? 0 : segments[i - 1].end)) throw invalid(`segments[${i}] must follow segments[${i - 1}] with index ${i}`);
  });
  if (segments[segments.length - 1].end !== build.source.size) throw invalid('segments must end at the end of the source');
  return { ...build, segments };
};

/** The failed step's event: the input, and what the Catch caught (kept only as a short code). */
export const parseFailedEvent = (e: unknown): FailedEvent => {
  const input = parseFanoutInput(e);
  const error = isObj(e) && isObj(e.error) && typeof e.error.Error === 'string' ? { Error: e.error.Error } : undefined;
  return { ...input, error };
};
