import type { AppLogger } from '../observability/logger';
import { entryOf } from './buildEntry';
import { deleteSegments, type BuildFinished } from './buildFinished';
import { parseFailedEvent } from './fanoutEvents';
import { servedTarget, type SourceDeps } from './resolveSource';
import type { SegmentStore } from './segmentHandler';

export interface FailedHandlerDeps extends Pick<SourceDeps, 'served'>, SegmentStore {
  finished: BuildFinished;
}

/** What the marker records of a caught error: a short code, never a message (it may name keys). */
const errorCode = (name: string | undefined): string => (name && /^[A-Za-z0-9._-]{1,64}$/.test(name) ? name : 'InternalError');

/**
 * The Catch of the Map and the join: writes the failed progress marker (a
 * poller then answers 503 and retries after the back-off) and deletes the
 * segments already written.
 */
export const failedHandler =
  (deps: FailedHandlerDeps) =>
  async (event: unknown, log: AppLogger): Promise<{ marked: 'failed' }> => {
    const e = parseFailedEvent(event);
    const id = entryOf(e.source, servedTarget(deps, e.source).policy.swarm === 'private');
    const code = errorCode(e.error?.Error);
    await deps.finished(id, 'failed', code, log, e.source.size);
    await deleteSegments(deps, e, log);
    log.error('fan-out build failed', { build: e.build, bucket: e.source.bucket, error: code });
    return { marked: 'failed' };
  };
