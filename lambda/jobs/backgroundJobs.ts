/**
 * The background-build interface: a torrent too large to build within one
 * request is built elsewhere while callers get 202 with its progress. Two
 * implementations: `localJobs` (in this process, after the response) and
 * `LambdaJobs` (an asynchronous invocation of the generate function).
 */
import type { ObjectHead } from '../s3/headObject';
import type { AppLogger } from '../observability/logger';
import type { ServedObject } from '../policy/servedObject';
import type { CacheIdentity } from '../torrents/cache/torrentCache';
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
