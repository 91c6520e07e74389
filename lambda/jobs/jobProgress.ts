import type { CacheIdentity } from '../torrents/cache/torrentCache';

/** Where a background build stands, as a caller polling with 202s sees it. */
export interface JobProgress {
  state: 'running' | 'failed' | 'done';
  bytesDone: number;
  bytesTotal: number;
  /** ms since the epoch */
  startedAt: number;
  /** ms since the epoch: last progress report (a stale heartbeat means the build died). */
  heartbeatAt: number;
  error?: string;
}

/** The status of a build that starts now. */
export const freshProgress = (total: number, now: number = Date.now()): JobProgress => ({
  state: 'running',
  bytesDone: 0,
  bytesTotal: total,
  startedAt: now,
  heartbeatAt: now,
});

/** What a background build needs to find the object again (the policy is re-read from config by bucket). */
export interface BuildRequest {
  bucket: string;
  key: string;
  id: CacheIdentity;
}

/**
 * Background builds somewhere else than this request (in AWS: an
 * asynchronous invocation of the generate function, tracked by a marker
 * object in the cache bucket).
 */
export interface BackgroundJobs {
  /** The last known status; undefined when no build was ever started. Other failures throw. */
  status(id: CacheIdentity): Promise<JobProgress | undefined>;
  /** Starts a build and returns the status it recorded. */
  start(req: BuildRequest): Promise<JobProgress>;
  /** Called by the build itself as it goes. */
  report(id: CacheIdentity, progress: JobProgress): Promise<void>;
}

/** A running build whose heartbeat is older than this is treated as dead and restarted. */
export const STALE_HEARTBEAT_MS = 2 * 60 * 1000;
/** A failed build is not retried for this long, so a bad object cannot keep a function busy. */
export const FAILED_BACKOFF_MS = 5 * 60 * 1000;

/** Whether a background build should be (re)started given its last known status. */
export const needsStart = (status: JobProgress | undefined, now: number): boolean => {
  if (!status) return true;
  if (status.state === 'done') return true; // done but the cache had no entry: build again
  if (status.state === 'running') return now - status.heartbeatAt > STALE_HEARTBEAT_MS;
  return now - status.heartbeatAt > FAILED_BACKOFF_MS;
};
