import type { S3Client } from '@aws-sdk/client-s3';
import type { BucketPolicy, Config } from '../config';
import type { TorrentCache, CacheIdentity } from './cache/torrentCache';
import { generateInfo, type SegmentRunner } from '../hashing/hashObject';
import { torrentIdentity } from './torrentIdentity';
import { freshProgress, needsStart, type BackgroundJobs, type JobProgress } from '../jobs/jobProgress';
import { metrics } from '../observability/metrics';
import { progressReporter } from './progressReporter';
import { HttpError } from '../http/HttpError';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import { logger } from '../observability/logger';
import { classifyS3Error } from '../s3/classifyS3Error';
import { BodyTooLargeError, getStoreTorrent } from '../s3/getStoreTorrent';
import { headObject, type ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import { buildMetainfo } from '../metainfo/buildMetainfo';
import { infoHashOfInfo } from '../metainfo/infoHash';
import { InvalidTorrentError, validateTorrent } from '../metainfo/validateTorrent';

export interface TorrentDeps {
  s3: S3Client;
  cache: TorrentCache;
  config: Config;
  /** Background builds elsewhere (AWS); without it large builds run in this process after the 202. */
  jobs?: BackgroundJobs;
  /** Fan-out: hashes one segment of a very large object elsewhere (AWS: a generate-function invocation). */
  runSegment?: (ref: ObjectRef, head: ObjectHead, pieceLength: number) => SegmentRunner;
}

export interface TorrentRequest {
  policy: BucketPolicy;
  key: string;
  /** Web seeds for a generated torrent (the link's signed seed URL). */
  webSeeds: string[];
  signal?: AbortSignal;
  /** Build now whatever the size (the background generate function). */
  wait?: boolean;
}

/** A torrent still being built in the background: the caller gets 202 and retries. */
export interface PendingTorrent {
  pending: true;
  progress: JobProgress;
}

export type TorrentOutcome = TorrentResult | PendingTorrent;

export const isPending = (o: TorrentOutcome): o is PendingTorrent => 'pending' in o;

export interface TorrentResult {
  bytes: Buffer;
  /** Where the torrent came from: the store's GetObjectTorrent, our cache, or built now. */
  origin: 'store' | 'cache' | 'generated';
  infoHash: string;
  name: string;
  length: number;
  /** "requester" when S3 reported that the request was charged to us. */
  requestCharged?: string;
}

/** Stores answer "no torrents here" in these shapes (ARCHITECTURE.md); the rest are real errors. */
const UNSUPPORTED_KINDS = new Set(['notImplemented', 'invalidRequest']);
const AMBIGUOUS_KINDS = new Set(['notFound', 'accessDenied']);

/** What one set of handlers remembers between requests (per deps, so two runtimes in one process share nothing). */
interface ProcessState {
  /** Buckets whose store answered GetObjectTorrent with NotImplemented/MethodNotAllowed, until when (ms). */
  noTorrentSupport: Map<string, number>;
  /** One build per object version at a time, whoever asks (never do the work twice). */
  inFlight: Map<string, LocalJob>;
}
const states = new WeakMap<TorrentDeps, ProcessState>();
const stateOf = (deps: TorrentDeps): ProcessState => {
  let state = states.get(deps);
  if (!state) states.set(deps, (state = { noTorrentSupport: new Map(), inFlight: new Map() }));
  return state;
};

const storeLacksTorrents = (deps: TorrentDeps, bucket: string): boolean => {
  const { noTorrentSupport } = stateOf(deps);
  const until = noTorrentSupport.get(bucket);
  if (until === undefined) return false;
  if (Date.now() < until && deps.config.storeSupportTtlMs > 0) return true;
  noTorrentSupport.delete(bucket);
  return false;
};

/**
 * The .torrent for one object under its bucket policy: forwarded from the
 * store's GetObjectTorrent where it serves one, else built from the object
 * (and cached by version). Every torrent returned has been validated.
 */
export const getTorrent = async (deps: TorrentDeps, req: TorrentRequest): Promise<TorrentOutcome> => {
  const { policy } = req;
  const ref: ObjectRef = { bucket: policy.name, key: req.key, expectedOwner: policy.expectedOwner, requesterPays: policy.requesterPays };
  let head: ObjectHead | undefined;

  if (policy.source === 'store' || (policy.source === 'auto' && !storeLacksTorrents(deps, policy.name))) {
    // HeadObject alongside GetObjectTorrent: a store's torrent is passed on only if it describes
    // this object's size, and the fallback paths need the head anyway.
    const headJob = headOrThrow(deps, ref, req.signal);
    headJob.catch(() => undefined);
    try {
      const store = await getStoreTorrent(deps.s3, ref, deps.config.maxStoreTorrentBytes, req.signal);
      head = await headJob;
      try {
        const valid = validateTorrent(store.body, { length: head.size });
        return {
          bytes: store.body,
          origin: 'store',
          infoHash: infoHashOfInfo(valid.infoBytes),
          name: valid.name,
          length: valid.length,
          requestCharged: store.requestCharged,
        };
      } catch (err) {
        if (!(err instanceof InvalidTorrentError)) throw err;
        logger.warn('store answered GetObjectTorrent with something that is not a torrent', { reason: err.message, bytes: store.body.length });
        if (policy.source === 'store') throw new HttpError(502, 'InvalidStoreTorrent', 'The storage service did not return a valid torrent.', { cause: err });
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (err instanceof BodyTooLargeError) {
        if (policy.source === 'store') throw new HttpError(502, 'InvalidStoreTorrent', 'The storage service returned an oversized torrent.', { cause: err });
      } else {
        const info = classifyS3Error(err);
        if (policy.source === 'store') {
          if (UNSUPPORTED_KINDS.has(info.kind)) throw new HttpError(502, 'TorrentUnavailable', 'The storage service does not serve torrents for this object.', { cause: err });
          throw s3ErrorToHttp(err);
        }
        if (!AMBIGUOUS_KINDS.has(info.kind) && !UNSUPPORTED_KINDS.has(info.kind)) throw s3ErrorToHttp(err);
        // 404/403 on ?torrent can mean "no torrent support": HeadObject tells it from a real miss.
        head = await headJob;
        if (info.kind === 'notImplemented') {
          // The store has no torrent support at all (MinIO, s3rver, ...): stop asking for a while.
          stateOf(deps).noTorrentSupport.set(policy.name, Date.now() + deps.config.storeSupportTtlMs);
        }
        logger.info('store does not serve this torrent; building it', { code: info.code, status: info.status });
      }
    }
  }

  head ??= await headOrThrow(deps, ref, req.signal);
  return generated(deps, req, ref, head);
};

const headOrThrow = async (deps: TorrentDeps, ref: ObjectRef, signal?: AbortSignal) => {
  try {
    return await headObject(deps.s3, ref, signal);
  } catch (err) {
    throw s3ErrorToHttp(err);
  }
};

const generated = async (deps: TorrentDeps, req: TorrentRequest, ref: ObjectRef, head: ObjectHead): Promise<TorrentOutcome> => {
  const { config } = deps;
  if (head.size === 0) throw new HttpError(422, 'EmptyObject', 'The object is empty (0 bytes); a torrent cannot describe it.');
  if (head.size > config.maxGenerateBytes) {
    throw new HttpError(422, 'ObjectTooLarge', `The object is larger than this deployment builds torrents for (${config.maxGenerateBytes} bytes).`);
  }
  const id = torrentIdentity(ref.bucket, ref.key, head);
  const { name, lastModified: creationDate } = id;

  let origin: TorrentResult['origin'] = 'cache';
  let info = await cachedInfo(deps, id);
  metrics.cache(info !== undefined);
  if (!info) {
    origin = 'generated';
    if (head.size > config.syncGenerateMaxBytes && !req.wait) {
      const bg = await background(deps, ref, head, id);
      if (!Buffer.isBuffer(bg)) return bg;
      [info, origin] = [bg, 'cache'];
    } else {
      info = await localBuild(deps, ref, head, id).promise;
    }
  }
  const bytes = buildMetainfo({ info, webSeeds: req.webSeeds, trackers: config.trackers, creationDate });
  return { bytes, origin, infoHash: infoHashOfInfo(info), name, length: head.size, requestCharged: head.requestCharged };
};

/**
 * Too large to build within this request: make sure a build is under way and say how far it is,
 * or return the info dictionary if a build finished since the caller's cache miss.
 */
const background = async (deps: TorrentDeps, ref: ObjectRef, head: ObjectHead, id: CacheIdentity): Promise<PendingTorrent | Buffer> => {
  if (deps.jobs) {
    let status = await deps.jobs.status(id);
    if (!status || needsStart(status, Date.now())) {
      // A build that finished between our cache miss and this marker read says "done": look again
      // before starting a second one.
      const finished = await cachedInfo(deps, id);
      if (finished) return finished;
      status = await deps.jobs.start({ bucket: ref.bucket, key: ref.key, id });
    }
    if (status.state === 'failed') {
      throw new HttpError(503, 'TorrentBuildFailed', 'Building this torrent failed; it will be retried later.', { headers: { 'Retry-After': '300' } });
    }
    return { pending: true, progress: status };
  }
  // Locally: the build runs in this process, after this response.
  const job = localBuild(deps, ref, head, id);
  if (job.progress.state === 'done') return job.promise; // finished since the caller's cache miss
  job.promise.catch(() => undefined);
  return { pending: true, progress: { ...job.progress } };
};

interface LocalJob {
  promise: Promise<Buffer>;
  progress: JobProgress;
}

/** How long a finished build stays joinable (longer than any cache read that could have missed it). */
const FINISHED_JOB_MS = 60_000;

const localBuild = (deps: TorrentDeps, ref: ObjectRef, head: ObjectHead, id: CacheIdentity): LocalJob => {
  const { inFlight } = stateOf(deps);
  const cacheKey = JSON.stringify(id);
  let job = inFlight.get(cacheKey);
  if (!job) {
    const progress = freshProgress(head.size);
    // Not tied to one caller's abort signal: other callers may be waiting on the same job.
    // A finished job stays for a while: a request whose cache read missed just before the build
    // wrote its entry joins it here instead of starting a second build.
    const promise = buildAndCache(deps, ref, head, id, progress).then(
      (info) => {
        setTimeout(() => inFlight.delete(cacheKey), FINISHED_JOB_MS).unref();
        return info;
      },
      (err: unknown) => {
        inFlight.delete(cacheKey);
        throw err;
      },
    );
    job = { promise, progress };
    inFlight.set(cacheKey, job);
  }
  return job;
};

/** A cache hit is used only if it validates against the object it claims to describe. */
const cachedInfo = async (deps: TorrentDeps, id: CacheIdentity): Promise<Buffer | undefined> => {
  const hit = await deps.cache.get(id);
  if (!hit) return undefined;
  try {
    const valid = validateTorrent(hit, { length: id.size });
    if (valid.pieceLength !== id.pieceLength || valid.name !== id.name) throw new InvalidTorrentError('cache entry does not match the object');
    return Buffer.from(valid.infoBytes);
  } catch (err) {
    logger.warn('discarding invalid torrent cache entry', { reason: (err as Error).message });
    return undefined;
  }
};

/** How often a build in the generate function writes its progress marker. */
const HEARTBEAT_MS = 10_000;

const buildAndCache = async (deps: TorrentDeps, ref: ObjectRef, head: ObjectHead, id: CacheIdentity, progress: JobProgress): Promise<Buffer> => {
  const started = Date.now();
  const log = progressReporter({ bucket: ref.bucket, key: ref.key }, head.size);
  let lastBeat = started;
  const onProgress = (done: number) => {
    progress.bytesDone = done;
    progress.heartbeatAt = Date.now();
    log(done);
    if (deps.jobs && progress.heartbeatAt - lastBeat >= HEARTBEAT_MS) {
      lastBeat = progress.heartbeatAt;
      deps.jobs.report(id, { ...progress }).catch(() => undefined);
    }
  };
  let info: Buffer;
  try {
    info = await generateInfo(deps.s3, ref, head, {
      pieceLength: id.pieceLength,
      name: id.name,
      concurrency: deps.config.readConcurrency,
      partBytes: deps.config.readPartBytes,
      onProgress,
      segmentBytes: deps.config.segmentBytes,
      runSegment: deps.runSegment?.(ref, head, id.pieceLength),
    });
  } catch (err) {
    progress.state = 'failed';
    const httpErr = s3ErrorToHttp(err);
    progress.error = httpErr.code;
    await deps.jobs?.report(id, { ...progress, heartbeatAt: Date.now() }).catch(() => undefined);
    logger.error('torrent build failed', { bucket: ref.bucket, key: ref.key, bytesDone: progress.bytesDone, code: httpErr.code, cause: err });
    throw httpErr;
  }
  const ms = Date.now() - started;
  logger.info('torrent generated', {
    bucket: ref.bucket,
    key: ref.key,
    bytesHashed: head.size,
    generationMs: ms,
    mbPerSecond: Math.round((head.size / 1e6 / Math.max(ms / 1000, 1e-3)) * 10) / 10,
  });
  metrics.generated(head.size, ms);
  // Cache only what was read in full; the cached form has no link-specific fields.
  const canonical = buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: id.lastModified });
  try {
    await deps.cache.put(id, canonical);
  } catch (err) {
    logger.warn('could not write torrent cache entry', { code: classifyS3Error(err).code });
  }
  progress.state = 'done';
  progress.bytesDone = head.size;
  await deps.jobs?.report(id, { ...progress, heartbeatAt: Date.now() }).catch(() => undefined);
  return info;
};
