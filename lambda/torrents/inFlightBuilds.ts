import { freshProgress, type JobProgress } from '../jobs/jobProgress';
import type { AppLogger } from '../observability/logger';
import { progressReporter } from './progressReporter';

/** A build in this process: its result and how far it is. */
export interface Build {
  promise: Promise<Buffer>;
  progress: JobProgress;
}

/** How long a finished build stays joinable (longer than any cache read that could have missed it). */
export const FINISHED_BUILD_MS = 60_000;

/**
 * One build per identity at a time in this process, whoever asks: a caller
 * joins the build already running (or finished within FINISHED_BUILD_MS, so
 * a request whose cache read missed just before the entry was written does not
 * build again); a failed build is forgotten at once, so the next caller
 * starts afresh. Not tied to one caller's abort signal.
 */
export class InFlightBuilds {
  readonly #builds = new Map<string, Build>();

  join(id: object, total: number, run: (progress: JobProgress) => Promise<Buffer>): Build {
    const key = JSON.stringify(id);
    const running = this.#builds.get(key);
    if (running) return running;
    const progress = freshProgress(total);
    const promise = run(progress).then(
      (info) => {
        setTimeout(() => this.#builds.delete(key), FINISHED_BUILD_MS).unref();
        return info;
      },
      (err: unknown) => {
        this.#builds.delete(key);
        throw err;
      },
    );
    const build = { promise, progress };
    this.#builds.set(key, build);
    return build;
  }
}

/**
 * The progress callback of one build: updates its `progress` (bytes, heartbeat),
 * logs it (progressReporter) and passes the bytes on to `onProgress`.
 */
export const progressTicker = (
  progress: JobProgress,
  log: AppLogger,
  fields: Record<string, unknown>,
  onProgress?: (bytesDone: number) => void,
): ((bytesDone: number) => void) => {
  const report = progressReporter(log, fields, progress.bytesTotal);
  return (done) => {
    progress.bytesDone = done;
    progress.heartbeatAt = Date.now();
    report(done);
    onProgress?.(done);
  };
};
