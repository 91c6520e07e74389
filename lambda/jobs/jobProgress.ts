/** Where a background build stands, as a caller polling with 202s sees it. */
export interface JobProgress {
  state: 'running' | 'failed' | 'done';
  bytesDone: number;
  bytesTotal: number;
  /** ms since the epoch */
  startedAt: number;
  /** ms since the epoch: last progress report (a stale heartbeat means the build died). */
  heartbeatAt: number;
  /**
   * ms since the epoch: set when the build was handed to the fan-out state machine, whose
   * segments write no heartbeat. Until then the build counts as alive; after it, Step Functions
   * has stopped the execution (BUILD_TIMEOUT_SECONDS) and the build may start again.
   */
  deadlineAt?: number;
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

/** A running build whose heartbeat is older than this is treated as dead and restarted. */
export const STALE_HEARTBEAT_MS = 2 * 60 * 1000;
/** A failed build is not retried for this long, so a bad object cannot keep a function busy. */
export const FAILED_BACKOFF_MS = 5 * 60 * 1000;

/** Whether a background build should be (re)started given its last known status. */
export const needsStart = (status: JobProgress | undefined, now: number): boolean => {
  if (!status) return true;
  if (status.state === 'done') return true; // done but the cache had no entry: build again
  if (status.state === 'running') return status.deadlineAt !== undefined ? now > status.deadlineAt : now - status.heartbeatAt > STALE_HEARTBEAT_MS;
  return now - status.heartbeatAt > FAILED_BACKOFF_MS;
};
