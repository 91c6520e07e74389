import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { invokeJson } from '../aws/lambdaClient';
import { HttpError } from '../http/HttpError';
import type { AppLogger } from '../observability/logger';
import { classifyS3Error } from '../s3/classifyS3Error';
import type { ObjectHead } from '../s3/headObject';
import { cacheObjectKey, type CacheIdentity, type FolderSnapshot, type TorrentCache } from '../torrents/cache/torrentCache';
import type { TorrentBuilds } from '../torrents/torrentBuilds';
import type { BackgroundJobs, BuildRequest, FolderBuildRequest, FolderJobs, JobOutcome } from './backgroundJobs';
import { freshProgress, needsStart, type JobProgress } from './jobProgress';

/**
 * `{ action: 'generate' }`: build and cache one object version's torrent. It
 * carries the measured head, so the generate function builds exactly the
 * identity it was started for without asking the store again.
 */
export interface GenerateEvent {
  action: 'generate';
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  size: number;
  /** LastModified, ms since the epoch. */
  lastModified?: number;
}

/**
 * `{ action: 'generateFolder' }`: build and cache one folder snapshot's
 * torrent. Its manifest (10,000 files are more than an async invocation's
 * 256 KB) is in the cache bucket beside the torrent, found by its digest;
 * `files` and `size` are checked against it.
 */
export interface GenerateFolderEvent {
  action: 'generateFolder';
  bucket: string;
  /** The folder, ending in `/`. */
  prefix: string;
  /** sha256 hex of the manifest (FolderManifest.digest). */
  manifest: string;
  files: number;
  size: number;
}

/** What a progress marker is found by: one object version's build, or one folder snapshot's torrent. */
export type JobIdentity = CacheIdentity | FolderSnapshot;

export interface LambdaJobsOptions {
  s3: S3Client;
  /** Where a folder's manifest is written before its build starts (the generate function reads it there). */
  cache: TorrentCache;
  cacheBucket: string;
  cachePrefix: string;
  expectedOwner?: string;
  lambda: LambdaClient;
  /** The generate function, invoked asynchronously (InvocationType Event). */
  functionName: string;
  builds: TorrentBuilds;
}

/** How often a background build writes its progress marker. */
export const HEARTBEAT_MS = 10_000;

/** Writes a build's progress marker as it goes: heartbeats at most every HEARTBEAT_MS, then its end. */
export interface ProgressMarkers {
  /** Writes the running marker at once (a build nobody asked for yet, e.g. a pre-build, has none). */
  started(): Promise<void>;
  onProgress(bytesDone: number): void;
  finished(state: 'done' | 'failed', error?: string): Promise<void>;
}

export const generateEventFor = ({ target, head }: BuildRequest): GenerateEvent => ({
  action: 'generate',
  bucket: target.bucket,
  key: target.key,
  versionId: head.versionId,
  etag: head.etag,
  size: head.size,
  lastModified: head.lastModified?.getTime(),
});

export const generateFolderEventFor = ({ id, manifest }: FolderBuildRequest): GenerateFolderEvent => ({
  action: 'generateFolder',
  bucket: id.bucket,
  prefix: id.prefix,
  manifest: manifest.digest,
  files: manifest.files.length,
  size: manifest.totalSize,
});

/** One background build to make sure of: its marker, its size, the cache re-read before starting, what starts it. */
interface Job {
  id: JobIdentity;
  total: number;
  log: AppLogger;
  cached(): Promise<Buffer | undefined>;
  /** Runs before the invocation (a folder's manifest is written to the cache here). */
  prepare?(): Promise<void>;
  event: GenerateEvent | GenerateFolderEvent;
  /** Log fields naming what is built. */
  what: Record<string, unknown>;
}

/** The head a generate event was started for. */
export const headOfEvent = (e: GenerateEvent): ObjectHead => ({
  size: e.size,
  etag: e.etag,
  versionId: e.versionId,
  lastModified: e.lastModified === undefined ? undefined : new Date(e.lastModified),
});

/**
 * Background builds in AWS: an Event invocation of the generate function,
 * with progress in a small JSON marker in the cache bucket that every
 * request can read (Lambda instances share nothing else). Only background
 * builds write markers.
 */
export class LambdaJobs implements BackgroundJobs, FolderJobs {
  constructor(private readonly o: LambdaJobsOptions) {}

  /** Marker objects live beside the cache entries (`<prefix>pending/...`), inside the granted prefix. */
  private markerKey(id: JobIdentity): string {
    return cacheObjectKey(`${this.o.cachePrefix}pending/`, id).replace(/\.torrent$/, '.json');
  }

  private async put(id: JobIdentity, p: JobProgress): Promise<void> {
    await this.o.s3.send(
      new PutObjectCommand({
        Bucket: this.o.cacheBucket,
        Key: this.markerKey(id),
        Body: JSON.stringify(p),
        ContentType: 'application/json',
        ExpectedBucketOwner: this.o.expectedOwner,
      }),
    );
  }

  /** The last known status; undefined when no build was ever started. Other failures throw. */
  async status(id: JobIdentity): Promise<JobProgress | undefined> {
    let text: string;
    try {
      const out = await this.o.s3.send(
        new GetObjectCommand({ Bucket: this.o.cacheBucket, Key: this.markerKey(id), ExpectedBucketOwner: this.o.expectedOwner }),
      );
      text = await out.Body!.transformToString();
    } catch (err) {
      // Only "no marker" means "no build": a throttled or failed read must not start a second one.
      if (classifyS3Error(err).kind === 'notFound') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as JobProgress;
    } catch {
      return undefined; // a damaged marker: start again
    }
  }

  ensure(req: BuildRequest): Promise<JobOutcome> {
    return this.ensureJob({
      id: req.id,
      total: req.id.size,
      log: req.log,
      cached: () => this.o.builds.cached(req.id, req.log),
      event: generateEventFor(req),
      what: { bucket: req.target.bucket, key: req.target.key },
    });
  }

  /**
   * A folder snapshot's build, as `ensure` does for an object: its manifest
   * is written to the cache before the (small) event that names it is sent.
   */
  ensureFolder(req: FolderBuildRequest): Promise<JobOutcome> {
    // The manifest's entry is the same for public and private torrents of the snapshot (FolderTorrents reads it so).
    const { bucket, prefix, manifest } = req.id;
    const manifestId: FolderSnapshot = { bucket, prefix, manifest, part: 'manifest' };
    return this.ensureJob({
      id: req.id,
      total: req.manifest.totalSize,
      log: req.log,
      cached: req.cached,
      prepare: () => this.o.cache.put(manifestId, Buffer.from(JSON.stringify(req.manifest))),
      event: generateFolderEventFor(req),
      what: { bucket: req.id.bucket, prefix: req.id.prefix, files: req.manifest.files.length },
    });
  }

  private async ensureJob(job: Job): Promise<JobOutcome> {
    let status = await this.status(job.id);
    if (!status || needsStart(status, Date.now())) {
      // A build that finished between our cache miss and this marker read says "done": look again
      // before starting a second one.
      const finished = await job.cached();
      if (finished) return { state: 'ready', info: finished };
      status = await this.start(job);
    }
    if (status.state === 'failed') {
      throw new HttpError(503, 'TorrentBuildFailed', 'Building this torrent failed; it will be retried later.', { headers: { 'Retry-After': '300' } });
    }
    return { state: 'building', progress: status };
  }

  private async start(job: Job): Promise<JobProgress> {
    await job.prepare?.();
    const status = freshProgress(job.total);
    await this.put(job.id, status);
    await invokeJson(this.o.lambda, this.o.functionName, 'Event', job.event);
    job.log.info('background build started', { ...job.what, bytes: job.total, function: this.o.functionName });
    return status;
  }

  /**
   * Marks `id` as handed to the fan-out state machine: running, with no
   * heartbeat to come, alive until `deadlineAt` (when Step Functions stops the
   * execution). Written before the execution starts, so a join that finishes
   * first is never overwritten; a start that fails is marked failed instead.
   */
  async handedOff(id: JobIdentity, total: number, deadlineAt: number, now: number = Date.now()): Promise<void> {
    await this.put(id, { ...freshProgress(total, now), deadlineAt });
  }

  /** The last marker of a build that ran elsewhere (the fan-out's join or failed step). */
  async finished(id: JobIdentity, total: number, state: 'done' | 'failed', error: string | undefined, log: AppLogger): Promise<void> {
    await this.markers(id, total, log).finished(state, error);
  }

  /** The markers the generate function writes while it builds `id`. */
  markers(id: JobIdentity, total: number, log: AppLogger, now: () => number = Date.now): ProgressMarkers {
    const progress = freshProgress(total, now());
    let lastBeat = progress.startedAt;
    const write = () =>
      this.put(id, { ...progress, heartbeatAt: now() }).catch((err) => log.warn('could not write build progress marker', { code: classifyS3Error(err).code }));
    return {
      started: () => write(),
      onProgress: (done) => {
        progress.bytesDone = done;
        if (now() - lastBeat < HEARTBEAT_MS) return;
        lastBeat = now();
        void write();
      },
      finished: async (state, error) => {
        progress.state = state;
        if (state === 'done') progress.bytesDone = total;
        if (error) progress.error = error;
        await write();
      },
    };
  }
}
