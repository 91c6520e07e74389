import { GetObjectCommand } from '@aws-sdk/client-s3';
import { buildFolderInfo, buildInfo, buildMetainfo } from '../metainfo/buildMetainfo';
import { infoHashOfInfo } from '../metainfo/infoHash';
import { validateTorrent } from '../metainfo/validateTorrent';
import type { AppLogger } from '../observability/logger';
import { classifyS3Error } from '../s3/classifyS3Error';
import type { CacheEntryId, CacheIdentity } from '../torrents/cache/torrentCache';
import { entryOfServed } from './buildEntry';
import { deleteSegments, SEGMENT_IO_CONCURRENCY, type BuildFinished } from './buildFinished';
import { parseFanoutInput } from './fanoutEvents';
import { segmentKey } from './fanoutModel';
import { mapLimit } from './mapLimit';
import { resolveSource, type SourceDeps } from './resolveSource';
import { piecesOf, type SegmentStore } from './segmentHandler';

export interface JoinHandlerDeps extends SourceDeps, SegmentStore {
  finished: BuildFinished;
  /** Makes an object version's torrent findable by its VersionId alone: `builds.rememberPinned`. */
  rememberPinned?: (id: CacheIdentity, info: Buffer, log: AppLogger) => Promise<void>;
}

export interface JoinResult {
  infoHash: string;
  pieces: number;
}

/** A segment object that is not there: already deleted by a join that finished, or never written. */
class MissingSegmentError extends Error {
  override name = 'MissingSegmentError';
}

/** A segment's digests, or why the build cannot use them. */
const readSegment = async (store: SegmentStore, key: string, index: number, expected: number): Promise<Buffer> => {
  let bytes: Buffer;
  try {
    const out = await store.s3.send(new GetObjectCommand({ Bucket: store.cacheBucket, Key: key, ExpectedBucketOwner: store.expectedOwner }));
    bytes = Buffer.from(await out.Body!.transformToByteArray());
  } catch (err) {
    if (classifyS3Error(err).kind === 'notFound') throw new MissingSegmentError(`segment ${index} has no digests (${key})`);
    throw err;
  }
  if (bytes.length !== expected * 20) throw new Error(`segment ${index} holds ${bytes.length} digest bytes, expected ${expected * 20}`);
  return bytes;
};

/** The result of a join that already wrote this entry, if the cache holds a valid one. */
const alreadyJoined = async (deps: JoinHandlerDeps, id: CacheEntryId, size: number, pieceLength: number, log: AppLogger): Promise<JoinResult | undefined> => {
  const hit = await deps.cache.get(id, log);
  if (!hit) return undefined;
  try {
    const valid = validateTorrent(hit, { length: size });
    if (valid.pieceLength !== pieceLength) return undefined;
    return { infoHash: infoHashOfInfo(Buffer.from(valid.infoBytes)), pieces: Math.ceil(size / pieceLength) };
  } catch {
    return undefined;
  }
};

/**
 * The last step: reads every segment's digests in order, checks each has
 * exactly its pieces' count, builds the info dictionary and writes the
 * cache entry a single-pass build of the same source would write (same
 * identity, same canonical bytes), so a later GET finds it. Then marks the
 * build done and deletes the segment objects. A missing or short segment
 * fails the join before anything is cached, unless the entry is already
 * there: a retried join whose first attempt finished (and deleted the
 * segments) but whose answer was lost answers as that attempt did.
 */
export const joinHandler =
  (deps: JoinHandlerDeps) =>
  async (event: unknown, log: AppLogger): Promise<JoinResult> => {
    const e = parseFanoutInput(event);
    const source = await resolveSource(deps, e.source, log);
    const id = entryOfServed(source);
    let digests: Buffer[];
    try {
      digests = await mapLimit(e.segments, SEGMENT_IO_CONCURRENCY, (s) =>
        readSegment(deps, segmentKey(deps.cachePrefix, e.build, s.index), s.index, piecesOf(s, e.pieceLength)),
      );
    } catch (err) {
      const joined = err instanceof MissingSegmentError ? await alreadyJoined(deps, id, source.size, e.pieceLength, log) : undefined;
      if (!joined) throw err;
      return joined;
    }
    const pieces = Buffer.concat(digests);
    const info =
      source.kind === 'object'
        ? buildInfo({ name: (id as CacheIdentity).name, length: source.size, pieceLength: e.pieceLength, pieces, private: id.private })
        : buildFolderInfo({
            name: source.files.name,
            files: source.files.files.map((f) => ({ length: f.size, path: f.path })),
            pieceLength: e.pieceLength,
            pieces,
            private: id.private,
          });
    const creationDate = source.kind === 'object' ? (id as CacheIdentity).lastModified : source.files.lastModified;
    // The cached form has no link-specific fields, exactly as TorrentBuilds and FolderTorrents write it.
    const canonical = buildMetainfo({ info, webSeeds: [], trackers: [], creationDate });
    validateTorrent(canonical, { length: source.size });
    await deps.cache.put(id, canonical);
    if (source.kind === 'object') await deps.rememberPinned?.(id as CacheIdentity, info, log);
    await deps.finished(id, 'done', undefined, log, source.size);
    await deleteSegments(deps, e, log);
    const infoHash = infoHashOfInfo(info);
    log.info('fan-out build joined', { build: e.build, bucket: source.bucket, segments: e.segments.length, bytes: source.size, infoHash });
    return { infoHash, pieces: pieces.length / 20 };
  };
