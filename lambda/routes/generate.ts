import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError } from '../http/HttpError';
import { headOfEvent, type GenerateEvent, type GenerateFolderEvent } from '../jobs/lambdaJobs';
import type { HashFolderSegmentEvent, HashSegmentEvent, HashSegmentResult } from '../jobs/lambdaSegments';
import type { AppLogger } from '../observability/logger';
import { choosePieceLength } from '../metainfo/choosePieceLength';
import { infoHashOfInfo } from '../metainfo/infoHash';
import type { FolderManifest } from '../policy/folderManifest';
import { objectKeyProblem } from '../policy/objectKeyProblem';
import { servedObject, type ServedObject } from '../policy/servedObject';
import type { Services } from '../services';
import type { Segment } from '../torrents/generateInfo';
import { hashFolder } from '../torrents/hashFolder';
import { hashObjectRange } from '../torrents/hashObject';
import { torrentIdentity } from '../torrents/torrentIdentity';

const invalid = (why: string) => new HttpError(400, 'InvalidEvent', why);

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The event's object, if the policy serves it (the event names it, the policy decides). */
const targetOf = (s: Services, e: { bucket?: unknown; key?: unknown }): ServedObject => {
  if (typeof e.bucket !== 'string' || typeof e.key !== 'string' || objectKeyProblem(e.key)) throw invalid('bucket and key are required');
  try {
    return servedObject(s.config.buckets, e.bucket, e.key);
  } catch {
    throw invalid('bucket or key not served');
  }
};

/** Builds and caches exactly the version the event was started for, writing progress markers as it goes. */
const generate = async (s: Services, e: Partial<GenerateEvent>, log: AppLogger) => {
  const target = targetOf(s, e);
  if (!isCount(e.size) || e.size === 0 || typeof e.etag !== 'string') throw invalid('size and etag are required');
  const head = headOfEvent(e as GenerateEvent);
  const id = torrentIdentity(target.bucket, target.key, head, target.policy.swarm === 'private');
  const markers = s.lambdaJobs?.markers(id, id.size, log);
  try {
    const info = await s.builds.join(target, head, id, log, markers?.onProgress).promise;
    await markers?.finished('done');
    log.info('background build done', { bucket: target.bucket, key: target.key, bytes: head.size });
    return { infoHash: infoHashOfInfo(info) };
  } catch (err) {
    await markers?.finished('failed', err instanceof HttpError ? err.code : 'InternalError');
    throw err;
  }
};

/** Hashes one piece-aligned segment of a pinned object version (fan-out). */
const hashSegment = async (s: Services, e: Partial<HashSegmentEvent>, log: AppLogger): Promise<HashSegmentResult> => {
  const target = targetOf(s, e);
  const { segment, pieceLength, size, etag } = e;
  if (
    !segment ||
    !Number.isSafeInteger(segment.start) ||
    !Number.isSafeInteger(segment.end) ||
    typeof pieceLength !== 'number' ||
    typeof size !== 'number' ||
    typeof etag !== 'string'
  ) {
    throw invalid('segment, pieceLength, size and etag are required');
  }
  if (segment.start % pieceLength !== 0 || segment.end > size || segment.start >= segment.end)
    throw invalid('segment must be piece-aligned and inside the object');
  const { config } = s;
  const pieces = await hashObjectRange(s.s3, target.ref, { size, etag, versionId: e.versionId }, segment, {
    pieceLength,
    name: '',
    concurrency: config.readConcurrency,
    partBytes: config.readPartBytes,
    pool: s.pool,
    log,
  });
  return { pieces: pieces.toString('base64') };
};

const DIGEST = /^[0-9a-f]{64}$/;

/** The event's folder (a served prefix ending in `/`) and its manifest, read from the cache by digest and checked against it. */
const folderOf = async (
  s: Services,
  e: { bucket?: unknown; prefix?: unknown; manifest?: unknown },
  log: AppLogger,
): Promise<[ServedObject, FolderManifest]> => {
  if (typeof e.prefix !== 'string' || !e.prefix.endsWith('/')) throw invalid('prefix (ending in "/") is required');
  if (typeof e.manifest !== 'string' || !DIGEST.test(e.manifest)) throw invalid('manifest must be the sha256 hex digest of a folder manifest');
  const target = targetOf(s, { bucket: e.bucket, key: e.prefix });
  const m = await s.folders.storedManifest(target.bucket, target.key, e.manifest, log);
  if (!m) throw invalid('the manifest is not in the cache');
  return [target, m];
};

/** Builds and caches exactly the folder snapshot the event names (its cached manifest), writing progress markers as it goes. */
const generateFolder = async (s: Services, e: Partial<GenerateFolderEvent>, log: AppLogger) => {
  if (!isCount(e.size) || e.size === 0 || !isCount(e.files)) throw invalid('files and size are required');
  const [target, m] = await folderOf(s, e, log);
  if (m.totalSize !== e.size || m.files.length !== e.files) throw invalid('files and size do not match the manifest');
  const markers = s.lambdaJobs?.markers(s.folders.snapshotId(target, m), m.totalSize, log);
  try {
    const { info } = await s.folders.buildSnapshot(target, m, log, markers?.onProgress);
    await markers?.finished('done');
    log.info('background build done', { bucket: target.bucket, prefix: target.key, files: m.files.length, bytes: m.totalSize });
    return { infoHash: infoHashOfInfo(info) };
  } catch (err) {
    await markers?.finished('failed', err instanceof HttpError ? err.code : 'InternalError');
    throw err;
  }
};

const isSegment = (x: unknown): x is Segment =>
  typeof x === 'object' && x !== null && Number.isSafeInteger((x as Segment).start) && Number.isSafeInteger((x as Segment).end);

/** Hashes one piece-aligned segment of a folder snapshot's concatenated files (fan-out). */
const hashFolderSegment = async (s: Services, e: Partial<HashFolderSegmentEvent>, log: AppLogger): Promise<HashSegmentResult> => {
  const { segment, pieceLength } = e;
  if (!isSegment(segment) || !isCount(pieceLength)) throw invalid('segment and pieceLength are required');
  const [target, m] = await folderOf(s, e, log);
  if (pieceLength !== choosePieceLength(m.totalSize)) throw invalid("pieceLength is not the folder's");
  const endsOnPiece = segment.end % pieceLength === 0 || segment.end === m.totalSize;
  if (segment.start < 0 || segment.start % pieceLength !== 0 || !endsOnPiece || segment.end > m.totalSize || segment.start >= segment.end)
    throw invalid('segment must be piece-aligned and inside the folder');
  const { config } = s;
  const { key: _key, ...base } = target.ref;
  const pieces = await hashFolder(s.s3, base, m.files, {
    pieceLength,
    segment,
    concurrency: config.readConcurrency,
    partBytes: config.readPartBytes,
    pool: s.pool,
    log,
  });
  return { pieces: pieces.toString('base64') };
};

/**
 * The generate function: invoked by our own functions (never by API
 * Gateway) for background builds (objects, folders) and fan-out segments.
 */
export const generateRoute = (s: Services) =>
  middy<unknown, unknown, Error, Context>().handler(async (event, context) => {
    const e = (event ?? {}) as { action?: unknown };
    const log = s.logger.createChild({
      persistentKeys: { requestId: context.awsRequestId, route: 'generate', action: typeof e.action === 'string' ? e.action : undefined },
    });
    if (e.action === 'generate') return generate(s, e as Partial<GenerateEvent>, log);
    if (e.action === 'hashSegment') return hashSegment(s, e as Partial<HashSegmentEvent>, log);
    if (e.action === 'generateFolder') return generateFolder(s, e as Partial<GenerateFolderEvent>, log);
    if (e.action === 'hashFolderSegment') return hashFolderSegment(s, e as Partial<HashFolderSegmentEvent>, log);
    throw invalid('unknown action');
  });
