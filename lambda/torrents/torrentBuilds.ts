import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { HashPool } from '../hashing/hashPool';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import { freshProgress, type JobProgress } from '../jobs/jobProgress';
import { buildMetainfo } from '../metainfo/buildMetainfo';
import { bdecode, type BDict } from '../metainfo/bencode';
import { choosePieceLength } from '../metainfo/choosePieceLength';
import { displayName } from '../metainfo/displayName';
import { InvalidTorrentError, validateTorrent } from '../metainfo/validateTorrent';
import type { AppLogger } from '../observability/logger';
import type { ProxyMetrics } from '../observability/metrics';
import type { ServedObject } from '../policy/servedObject';
import { classifyS3Error } from '../s3/classifyS3Error';
import type { ObjectHead } from '../s3/headObject';
import type { CacheIdentity, TorrentCache } from './cache/torrentCache';
import { generateInfo, type SegmentRunner } from './generateInfo';
import { progressReporter } from './progressReporter';

/** Hashes one segment of a very large object somewhere (this process, or another invocation). */
export type SegmentRunnerFactory = (target: ServedObject, head: ObjectHead, pieceLength: number) => SegmentRunner;

export interface TorrentBuildsDeps {
  s3: S3Client;
  cache: TorrentCache;
  config: Pick<Config, 'readConcurrency' | 'readPartBytes' | 'segmentBytes'>;
  pool: HashPool;
  metrics: ProxyMetrics;
  runSegment: SegmentRunnerFactory;
}

/** A build in this process: its result and how far it is. */
export interface Build {
  promise: Promise<Buffer>;
  progress: JobProgress;
}

/** A cached torrent found by its pinned version alone. */
export interface PinnedHit {
  info: Buffer;
  name: string;
  length: number;
  creationDate?: number;
}

/** How long a finished build stays joinable (longer than any cache read that could have missed it). */
const FINISHED_BUILD_MS = 60_000;

/**
 * Builds of generated torrents: the validated cache in front of them, one
 * build per object version at a time in this process whoever asks, and the
 * cache entry written only once the whole object was read and hashed.
 */
export class TorrentBuilds {
  readonly #inFlight = new Map<string, Build>();

  constructor(private readonly deps: TorrentBuildsDeps) {}

  /** The cached info dictionary, used only if it validates against the object it claims to describe. */
  async cached(id: CacheIdentity, log: AppLogger): Promise<Buffer | undefined> {
    const hit = await this.deps.cache.get(id, log);
    if (!hit) return undefined;
    try {
      const valid = validateTorrent(hit, { length: id.size });
      if (valid.pieceLength !== id.pieceLength || valid.name !== id.name || (valid.info.private === 1) !== Boolean(id.private)) {
        throw new InvalidTorrentError('cache entry does not match the object');
      }
      return Buffer.from(valid.infoBytes);
    } catch (err) {
      log.warn('discarding invalid torrent cache entry', { reason: (err as Error).message });
      return undefined;
    }
  }

  /**
   * The cached torrent of a pinned object version, found with no call to the
   * object's store: valid only if it describes this key (its name) and was
   * built the way this version's would be (its piece length).
   */
  async cachedPinned(bucket: string, key: string, versionId: string, isPrivate: boolean, log: AppLogger): Promise<PinnedHit | undefined> {
    const hit = await this.deps.cache.get({ bucket, key, versionId, pinned: true, private: isPrivate }, log);
    if (!hit) return undefined;
    try {
      const valid = validateTorrent(hit);
      if (valid.name !== displayName(key) || valid.pieceLength !== choosePieceLength(valid.length) || (valid.info.private === 1) !== isPrivate) {
        throw new InvalidTorrentError('pinned entry does not match the key');
      }
      const created = (bdecode(hit).value as BDict)['creation date'];
      return { info: Buffer.from(valid.infoBytes), name: valid.name, length: valid.length, creationDate: typeof created === 'number' ? created : undefined };
    } catch (err) {
      log.warn('discarding invalid pinned torrent cache entry', { reason: (err as Error).message });
      return undefined;
    }
  }

  /** Makes a version's torrent findable by its VersionId alone (for links pinned to it). */
  async rememberPinned(id: CacheIdentity, info: Buffer, log: AppLogger): Promise<void> {
    if (!id.versionId) return;
    const canonical = buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: id.lastModified });
    try {
      await this.deps.cache.put({ bucket: id.bucket, key: id.key, versionId: id.versionId, pinned: true, private: id.private }, canonical);
    } catch (err) {
      log.warn('could not write pinned torrent cache entry', { code: classifyS3Error(err).code });
    }
  }

  /**
   * The build of `id`: the one already running (or finished within the last
   * minute) in this process, else a new one. Not tied to one caller's abort
   * signal: other callers may be waiting on the same build.
   */
  join(target: ServedObject, head: ObjectHead, id: CacheIdentity, log: AppLogger, onProgress?: (bytesDone: number) => void): Build {
    const key = JSON.stringify(id);
    const running = this.#inFlight.get(key);
    if (running) return running;
    const progress = freshProgress(head.size);
    const promise = this.buildAndCache(target, head, id, progress, log, onProgress).then(
      (info) => {
        // A request whose cache read missed just before the entry was written joins here instead of building again.
        setTimeout(() => this.#inFlight.delete(key), FINISHED_BUILD_MS).unref();
        return info;
      },
      (err: unknown) => {
        this.#inFlight.delete(key);
        throw err;
      },
    );
    const build = { promise, progress };
    this.#inFlight.set(key, build);
    return build;
  }

  private async buildAndCache(
    target: ServedObject,
    head: ObjectHead,
    id: CacheIdentity,
    progress: JobProgress,
    log: AppLogger,
    onProgress?: (n: number) => void,
  ): Promise<Buffer> {
    const { s3, config, pool, metrics } = this.deps;
    const started = Date.now();
    const report = progressReporter(log, { bucket: target.bucket, key: target.key }, head.size);
    let info: Buffer;
    try {
      info = await generateInfo(s3, target.ref, head, {
        pieceLength: id.pieceLength,
        name: id.name,
        private: id.private,
        concurrency: config.readConcurrency,
        partBytes: config.readPartBytes,
        pool,
        log,
        segmentBytes: config.segmentBytes,
        runSegment: this.deps.runSegment(target, head, id.pieceLength),
        onProgress: (done) => {
          progress.bytesDone = done;
          progress.heartbeatAt = Date.now();
          report(done);
          onProgress?.(done);
        },
      });
    } catch (err) {
      progress.state = 'failed';
      const httpErr = s3ErrorToHttp(err);
      progress.error = httpErr.code;
      log.error('torrent build failed', { bucket: target.bucket, key: target.key, bytesDone: progress.bytesDone, code: httpErr.code, cause: err });
      throw httpErr;
    }
    const ms = Date.now() - started;
    log.info('torrent generated', {
      bucket: target.bucket,
      key: target.key,
      bytesHashed: head.size,
      generationMs: ms,
      mbPerSecond: Math.round((head.size / 1e6 / Math.max(ms / 1000, 1e-3)) * 10) / 10,
    });
    metrics.generated(head.size, ms);
    // Cache only what was read in full; the cached form has no link-specific fields.
    const canonical = buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: id.lastModified });
    try {
      await this.deps.cache.put(id, canonical);
    } catch (err) {
      log.warn('could not write torrent cache entry', { code: classifyS3Error(err).code });
    }
    await this.rememberPinned(id, info, log);
    progress.state = 'done';
    progress.bytesDone = head.size;
    return info;
  }
}
