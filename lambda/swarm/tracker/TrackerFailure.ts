/**
 * A tracker request refused. Trackers answer HTTP 200 with a bencoded
 * `failure reason` (BEP 3), so this is the tracker's counterpart of
 * `http/HttpError`: `reason` is what the client shows its user, never
 * internals. `permanent` failures (a token that will never work) also tell
 * the client to stop retrying (BEP 31 `retry in: never`).
 *
 * @example
 * throw new TrackerFailure('port must be 1 to 65535.');
 */
export class TrackerFailure extends Error {
  readonly reason: string;
  readonly permanent: boolean;

  constructor(reason: string, options: { permanent?: boolean; cause?: unknown } = {}) {
    super(reason, { cause: options.cause });
    this.name = 'TrackerFailure';
    this.reason = reason;
    this.permanent = options.permanent ?? false;
  }
}

export const isTrackerFailure = (err: unknown): err is TrackerFailure => err instanceof TrackerFailure;
