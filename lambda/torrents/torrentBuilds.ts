import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { HashPool } from '../hashing/hashPool';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import type { JobProgress } from '../jobs/jobProgress';
import { buildMetainfo } from '../metainfo/buildMetainfo';
import { bdecode, type BDict } from '../metainfo/bencode';
import { choosePieceLength } from '../metainfo/choosePieceLength';
import { displayName } from '../metainfo/displayName';
import { infoHashOfInfo } from '../metainfo/infoHash';
import { InvalidTorrentError, validateTorrent } from '../metainfo/validateTorrent';
import type { AppLogger } from '../observability/logger';
import type { ProxyMetrics } from '../observability/metrics';
import type { ServedObject } from '../policy/servedObject';
import { classifyS3Error } from '../s3/classifyS3Error';
import type { ObjectHead } from '../s3/headObject';
import type { CacheIdentity, TorrentCache } from './cache/torrentCache';
import { generateInfo } from './generateInfo';
import { InFlightBuilds, progressTicker, type Build } from './inFlightBuilds';

/**
 * Builds an object too large for one function in segments (lambda/fanout: the plan, the segment
 * and join handlers, in this process) and caches it; false when its plan has one segment.
 */
export type ObjectFanout = (
  target: ServedObject,
  head: ObjectHead,
  id: CacheIdentity,
  log: AppLogger,
  onProgress: (bytesDone: number) => void,
) => Promise<boolean>;

export interface TorrentBuildsDeps {
  s3: S3Client;
  cache: TorrentCache;
  config: Pick<Config, 'readConcurrency' | 'readPartBytes'>;
  pool: HashPool;
  metrics: ProxyMetrics;
  /** The local runtime's fan-out; unset in AWS, where the generate function hands such builds to Step Functions first. */
  fanout?: ObjectFanout;
}

/** A cached torrent found by its pinned version alone. */
export interface PinnedHit {
  info: Buffer;
  /** SHA-1 of `info`, hex. */
  infoHash: string;
  name: string;
  length: number;
  creationDate?: number;
}

/** A cache entry's verdict, remembered with what it was checked against. */
interface Verdict<T> {
  against: string;
  value: T;
}

/**
 * Builds of generated torrents: the validated cache in front of them, one
 * build per object version at a time in this process whoever asks, and the
 * cache entry written only once the whole object was read and hashed.
 */
export class TorrentBuilds {
  readonly #inFlight = new InFlightBuilds();
  /**
   * Verdicts on cache entries, by the entry's bytes: the in-memory cache answers
   * the same Buffer for every hit, so each entry is decoded and validated once
   * for what it is checked against, not once per request. Weak: a verdict goes
   * with its entry when the LRU drops it.
   */
  readonly #verdicts = new WeakMap<Buffer, Verdict<Buffer | PinnedHit>>();

  constructor(private readonly deps: TorrentBuildsDeps) {}

  /** The cached info dictionary, used only if it validates against the object it claims to describe. */
  async cached(id: CacheIdentity, log: AppLogger): Promise<Buffer | undefined> {
    const hit = await this.deps.cache.get(id, log);
    if (!hit) return undefined;
    const against = JSON.stringify([id.size, id.pieceLength, id.name, Boolean(id.private)]);
    const known = this.#verdicts.get(hit);
    if (known?.against === against) return known.value as Buffer;
    try {
      const valid = validateTorrent(hit, { length: id.size });
      if (valid.pieceLength !== id.pieceLength || valid.name !== id.name || (valid.info.private === 1) !== Boolean(id.private)) {
        throw new InvalidTorrentError('cache entry does not match the object');
      }
      const info = Buffer.from(valid.infoBytes);
      this.#verdicts.set(hit, { against, value: info });
      return info;
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
    const against = JSON.stringify(['pinned', key, isPrivate]);
    const known = this.#verdicts.get(hit);
    if (known?.against === against) return known.value as PinnedHit;
    try {
      const valid = validateTorrent(hit);
      if (valid.name !== displayName(key) || valid.pieceLength !== choosePieceLength(valid.length) || (valid.info.private === 1) !== isPrivate) {
        throw new InvalidTorrentError('pinned entry does not match the key');
      }
      const created = (bdecode(hit).value as BDict)['creation date'];
      const info = Buffer.from(valid.infoBytes);
      const pinned: PinnedHit = Object.freeze({
        info,
        infoHash: infoHashOfInfo(info),
        name: valid.name,
        length: valid.length,
        creationDate: typeof created === 'number' ? created : undefined,
      });
      this.#verdicts.set(hit, { against, value: pinned });
      return pinned;
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
    return this.#inFlight.join(id, head.size, (progress) => this.buildAndCache(target, head, id, progress, log, onProgress));
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
    const tick = progressTicker(progress, log, { bucket: target.bucket, key: target.key }, onProgress);
    let info: Buffer;
    let joined = false;
    try {
      // More than one segment by the fan-out plan: hashed in segments, joined and cached by the join.
      joined = (await this.deps.fanout?.(target, head, id, log, tick)) ?? false;
      info = joined
        ? await this.joinedInfo(id, log)
        : await generateInfo(s3, target.ref, head, {
            pieceLength: id.pieceLength,
            name: id.name,
            private: id.private,
            concurrency: config.readConcurrency,
            partBytes: config.readPartBytes,
            pool,
            log,
            onProgress: tick,
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
    if (!joined) {
      // Cache only what was read in full; the cached form has no link-specific fields.
      const canonical = buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: id.lastModified });
      try {
        await this.deps.cache.put(id, canonical);
      } catch (err) {
        log.warn('could not write torrent cache entry', { code: classifyS3Error(err).code });
      }
      await this.rememberPinned(id, info, log);
    }
    progress.state = 'done';
    progress.bytesDone = head.size;
    return info;
  }

  /** The info dictionary a fan-out's join cached (it validated it before writing). */
  private async joinedInfo(id: CacheIdentity, log: AppLogger): Promise<Buffer> {
    const info = await this.cached(id, log);
    if (!info) throw new Error('the joined torrent is not in the cache');
    return info;
  }
}
