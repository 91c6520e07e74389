/**
 * The background-build interface: a torrent too large to build within one
 * request is built elsewhere while callers get 202 with its progress. Two
 * implementations: `localJobs` (in this process, after the response) and
 * `LambdaJobs` (an asynchronous invocation of the generate function), which
 * builds folder snapshots too (`FolderJobs`).
 */
import type { ObjectHead } from '../s3/headObject';
import type { AppLogger } from '../observability/logger';
import type { FolderManifest } from '../policy/folderManifest';
import type { ServedObject } from '../policy/servedObject';
import type { CacheIdentity, FolderSnapshot } from '../torrents/cache/torrentCache';
import type { JobProgress } from './jobProgress';

/** One object version to build: what it is, its measured head, and the identity its cache entry gets. */
export interface BuildRequest {
  target: ServedObject;
  head: ObjectHead;
  id: CacheIdentity;
  log: AppLogger;
}

/** A build that finished since the caller's cache miss (its info dictionary), or one still under way. */
export type JobOutcome = { state: 'ready'; info: Buffer } | { state: 'building'; progress: JobProgress };

export interface BackgroundJobs {
  /** Makes sure a build of `req.id` is under way (starting one if needed) and says where it stands. */
  ensure(req: BuildRequest): Promise<JobOutcome>;
}

/** One folder snapshot to build: its manifest, the identity of its torrent, and how to look in the cache again. */
export interface FolderBuildRequest {
  target: ServedObject;
  manifest: FolderManifest;
  /** The folder torrent's cache entry (`part: 'torrent'`); its progress marker is keyed by it too. */
  id: FolderSnapshot;
  log: AppLogger;
  /** The folder's torrent if the cache holds a valid one now (a build may have finished since the caller's miss). */
  cached(): Promise<Buffer | undefined>;
}

/** Background builds of folders elsewhere (AWS: the generate function); locally, FolderTorrents builds in this process. */
export interface FolderJobs {
  ensureFolder(req: FolderBuildRequest): Promise<JobOutcome>;
}
