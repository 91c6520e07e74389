import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { HashPool } from '../hashing/hashPool';
import { HttpError } from '../http/HttpError';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import type { FolderJobs } from '../jobs/backgroundJobs';
import type { JobProgress } from '../jobs/jobProgress';
import type { FolderPin } from '../links/objectPin';
import { buildFolderInfo, buildMetainfo } from '../metainfo/buildMetainfo';
import { choosePieceLength } from '../metainfo/choosePieceLength';
import { infoHashOfInfo } from '../metainfo/infoHash';
import { validateTorrent } from '../metainfo/validateTorrent';
import type { AppLogger } from '../observability/logger';
import type { ProxyMetrics } from '../observability/metrics';
import { folderManifest, type FolderManifest } from '../policy/folderManifest';
import type { ServedObject } from '../policy/servedObject';
import { classifyS3Error } from '../s3/classifyS3Error';
import { listObjects } from '../s3/listObjects';
import type { FolderSnapshot, TorrentCache } from './cache/torrentCache';
import { hashFolder } from './hashFolder';
import { InFlightBuilds, progressTicker, type Build } from './inFlightBuilds';
import type { TorrentOutcome } from './types';

/**
 * Builds a folder too large for one function in segments of its files' concatenation (lambda/fanout,
 * in this process) and caches it; false when its plan has one segment. Its manifest is in the cache first.
 */
export type FolderFanout = (
  target: ServedObject,
  manifest: FolderManifest,
  id: FolderSnapshot,
  log: AppLogger,
  onProgress: (bytesDone: number) => void,
) => Promise<boolean>;

/** What one share link adds to a folder torrent (never inside `info`, so all links share one swarm). */
export interface FolderLinks {
  /** The folder's web seed (a url-list entry ending in `/`), bound to this snapshot and swarm. */
  webSeeds(folder: FolderPin, infoHash: string): string[];
  trackers(infoHash: string): string[];
}

export interface FolderRequest {
  /** The folder: its key is the prefix, ending in `/`. */
  target: ServedObject;
  links: FolderLinks;
  log: AppLogger;
  signal?: AbortSignal;
}

export interface FolderTorrentsDeps {
  s3: S3Client;
  cache: TorrentCache;
  config: Pick<Config, 'readConcurrency' | 'readPartBytes' | 'syncGenerateMaxBytes' | 'trackers' | 'folders'>;
  pool: HashPool;
  metrics: ProxyMetrics;
  /** Whether a build may outlive its request (the local runtime: yes; a Lambda function: no). */
  backgroundBuilds: boolean;
  /** Where large folders are built when not in this process (AWS: the generate function). */
  jobs?: FolderJobs;
  /** The local runtime's fan-out; unset in AWS, where the generate function hands such builds to Step Functions first. */
  fanout?: FolderFanout;
}

/**
 * Folders as one BitTorrent v1 multi-file torrent: every object under a
 * prefix, listed (ListObjectsV2, all pages) into a manifest of key, ETag and
 * size, hashed across file boundaries in order, cached by the manifest's
 * digest. A new, removed or changed object gives a new manifest, so a new
 * torrent; the seed route serves only the listed objects at their ETags.
 */
export class FolderTorrents {
  readonly #inFlight = new InFlightBuilds();

  constructor(private readonly deps: FolderTorrentsDeps) {}

  /** The folder's current snapshot (one listing). */
  async manifest(target: ServedObject, signal?: AbortSignal): Promise<FolderManifest> {
    const { folders } = this.deps.config;
    let objects: Awaited<ReturnType<typeof listObjects>>;
    try {
      objects = await listObjects(this.deps.s3, target.ref, target.key, { maxKeys: folders.maxFiles + 1000, signal });
    } catch (err) {
      if ((err as Error).name === 'TooManyObjectsError') {
        throw new HttpError(422, 'FolderTooLarge', `The folder holds more than ${folders.maxFiles} objects, the most one torrent lists here.`);
      }
      throw s3ErrorToHttp(err);
    }
    return folderManifest(target.key, objects, { maxFiles: folders.maxFiles, maxBytes: folders.maxBytes });
  }

  async get(req: FolderRequest): Promise<TorrentOutcome> {
    const { target, log } = req;
    const m = await this.manifest(target, req.signal);
    if (m.totalSize === 0) throw new HttpError(422, 'EmptyFolder', 'Every object in the folder is empty (0 bytes); a torrent cannot describe it.');
    const id = this.snapshotId(target, m);
    let origin: 'cache' | 'generated' = 'cache';
    let info = await this.cached(id, m, log);
    this.deps.metrics.cache(info !== undefined);
    if (!info && m.totalSize > this.deps.config.syncGenerateMaxBytes && this.deps.jobs) {
      const job = await this.deps.jobs.ensureFolder({ target, manifest: m, id, log, cached: () => this.cached(id, m, log) });
      if (job.state === 'building') return job;
      info = job.info; // finished since our cache miss
    }
    if (!info) {
      const build = this.join(target, m, id, log);
      if (m.totalSize > this.deps.config.syncGenerateMaxBytes && build.progress.state !== 'done') {
        if (!this.deps.backgroundBuilds) {
          throw new HttpError(422, 'FolderTooLarge', `Folders over ${this.deps.config.syncGenerateMaxBytes} bytes are not built by this deployment.`);
        }
        build.promise.catch(() => undefined);
        return { state: 'building', progress: { ...build.progress } };
      }
      info = await build.promise;
      origin = 'generated';
    }
    const infoHash = infoHashOfInfo(info);
    const folder: FolderPin = { manifest: m.digest, prefix: target.key };
    const bytes = buildMetainfo({
      info,
      webSeeds: req.links.webSeeds(folder, infoHash),
      trackers: [...req.links.trackers(infoHash), ...this.deps.config.trackers],
      creationDate: m.lastModified,
    });
    return { state: 'ready', torrent: { bytes, origin, infoHash, name: m.name, length: m.totalSize, folder } };
  }

  /**
   * The listed file behind one key of a folder snapshot, or undefined (not listed, or another
   * snapshot). The folder's own name (the prefix without its `/`) stands for its only file, as
   * libtorrent asks for it.
   */
  async fileOf(target: ServedObject, folder: FolderPin, log: AppLogger): Promise<{ key: string; etag: string; size: number } | undefined> {
    let m = await this.storedManifest(target.bucket, folder.prefix, folder.manifest, log);
    if (!m) {
      // Not cached (evicted, or another container): the folder as it is now, if it is still that snapshot.
      const now = await this.manifest({ ...target, key: folder.prefix });
      if (now.digest === folder.manifest) m = now;
    }
    if (!m || m.digest !== folder.manifest) return undefined;
    if (target.key === folder.prefix.slice(0, -1)) return m.files.length === 1 ? m.files[0] : undefined;
    return m.files.find((f) => f.key === target.key);
  }

  /**
   * The manifest of snapshot `digest` from the cache, used only if it is that
   * snapshot: its digest is recomputed from its files.
   */
  async storedManifest(bucket: string, prefix: string, digest: string, log: AppLogger): Promise<FolderManifest | undefined> {
    const stored = await this.deps.cache.get({ bucket, prefix, manifest: digest, part: 'manifest' }, log);
    if (!stored) return undefined;
    try {
      const m = JSON.parse(stored.toString('utf8')) as FolderManifest;
      const again = folderManifest(prefix, m.files, this.deps.config.folders);
      if (again.digest !== digest) throw new Error('its files give another digest');
      return { ...again, ...(m.lastModified !== undefined ? { lastModified: m.lastModified } : {}) };
    } catch (err) {
      log.warn('discarding invalid folder manifest cache entry', { reason: (err as Error).message });
      return undefined;
    }
  }

  /**
   * The info dictionary of the snapshot `manifest` (the generate function's
   * background build): the cached one if valid, else built here (joining a
   * build of it already running), with progress to `onProgress` as well.
   */
  async buildSnapshot(
    target: ServedObject,
    manifest: FolderManifest,
    log: AppLogger,
    onProgress?: (bytesDone: number) => void,
  ): Promise<{ info: Buffer; id: FolderSnapshot }> {
    const id = this.snapshotId(target, manifest);
    const hit = await this.cached(id, manifest, log);
    if (hit) return { info: hit, id };
    return { info: await this.join(target, manifest, id, log, onProgress).promise, id };
  }

  /** The cache entry (and job marker) of a snapshot's torrent. */
  snapshotId(target: ServedObject, m: FolderManifest): FolderSnapshot {
    return { bucket: target.bucket, prefix: target.key, manifest: m.digest, part: 'torrent', private: target.policy.swarm === 'private' };
  }

  /** A cache hit is used only if it describes this manifest's files. */
  async cached(id: FolderSnapshot, m: FolderManifest, log: AppLogger): Promise<Buffer | undefined> {
    const hit = await this.deps.cache.get(id, log);
    if (!hit) return undefined;
    try {
      const valid = validateTorrent(hit, { length: m.totalSize });
      if (valid.name !== m.name || valid.files?.length !== m.files.length || (valid.info.private === 1) !== Boolean(id.private))
        throw new Error('cache entry does not match the folder');
      return Buffer.from(valid.infoBytes);
    } catch (err) {
      log.warn('discarding invalid folder torrent cache entry', { reason: (err as Error).message });
      return undefined;
    }
  }

  private join(target: ServedObject, m: FolderManifest, id: FolderSnapshot, log: AppLogger, onProgress?: (bytesDone: number) => void): Build {
    return this.#inFlight.join(id, m.totalSize, (progress) => this.build(target, m, id, progress, log, onProgress));
  }

  private async build(
    target: ServedObject,
    m: FolderManifest,
    id: FolderSnapshot,
    progress: JobProgress,
    log: AppLogger,
    onProgress?: (bytesDone: number) => void,
  ): Promise<Buffer> {
    const { s3, config, pool, cache, metrics, fanout } = this.deps;
    const started = Date.now();
    const pieceLength = choosePieceLength(m.totalSize);
    const manifestId: FolderSnapshot = { bucket: id.bucket, prefix: id.prefix, manifest: id.manifest, part: 'manifest' };
    const manifestBytes = Buffer.from(JSON.stringify(m));
    const tick = progressTicker(progress, log, { bucket: target.bucket, prefix: target.key }, onProgress);
    let info: Buffer;
    let joined = false;
    try {
      if (fanout) {
        // Each segment finds the files by the manifest's digest: it must be in the cache first.
        await cache.put(manifestId, manifestBytes);
        joined = await fanout(target, m, id, log, tick);
      }
      if (joined) {
        const hit = await this.cached(id, m, log);
        if (!hit) throw new Error('the joined folder torrent is not in the cache');
        info = hit;
      } else {
        const { key: _key, ...base } = target.ref;
        const pieces = await hashFolder(s3, base, m.files, {
          pieceLength,
          concurrency: config.readConcurrency,
          partBytes: config.readPartBytes,
          pool,
          log,
          onProgress: tick,
        });
        info = buildFolderInfo({ name: m.name, files: m.files.map((f) => ({ length: f.size, path: f.path })), pieceLength, pieces, private: id.private });
      }
    } catch (err) {
      progress.state = 'failed';
      const httpErr = s3ErrorToHttp(err);
      progress.error = httpErr.code;
      log.error('folder torrent build failed', { bucket: target.bucket, prefix: target.key, bytesDone: progress.bytesDone, code: httpErr.code, cause: err });
      throw httpErr;
    }
    const ms = Date.now() - started;
    log.info('folder torrent generated', {
      bucket: target.bucket,
      prefix: target.key,
      files: m.files.length,
      fannedOut: joined,
      bytesHashed: m.totalSize,
      generationMs: ms,
    });
    metrics.generated(m.totalSize, ms);
    // Cached only once every file was read in full (a fan-out's join wrote it); the manifest beside it, for the seed route.
    if (!joined) {
      try {
        if (!fanout) await cache.put(manifestId, manifestBytes);
        await cache.put(id, buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: m.lastModified }));
      } catch (err) {
        log.warn('could not write folder torrent cache entry', { code: classifyS3Error(err).code });
      }
    }
    progress.state = 'done';
    progress.bytesDone = m.totalSize;
    return info;
  }
}
