import { FAILED_BACKOFF_MS, freshProgress, needsStart, STALE_HEARTBEAT_MS } from '../../../lambda/jobs/jobProgress';

const T0 = 1_764_626_400_000;
const HOUR = 3600 * 1000;

describe('needsStart', () => {
  test('starts a build nobody started, and again one marked done whose cache entry is missing', () => {
    expect([needsStart(undefined, T0), needsStart({ ...freshProgress(10, T0), state: 'done' }, T0)]).toEqual([true, true]);
  });

  test('restarts a running build only once its heartbeat is older than 2 minutes', () => {
    const running = freshProgress(10, T0);
    expect([needsStart(running, T0 + STALE_HEARTBEAT_MS), needsStart(running, T0 + STALE_HEARTBEAT_MS + 1)]).toEqual([false, true]);
  });

  test('keeps a build handed to the state machine alive until its deadline, though no heartbeat comes', () => {
    const handedOff = { ...freshProgress(10, T0), deadlineAt: T0 + 4 * HOUR };
    expect([needsStart(handedOff, T0 + 3 * HOUR), needsStart(handedOff, T0 + 4 * HOUR), needsStart(handedOff, T0 + 4 * HOUR + 1)]).toEqual([
      false,
      false,
      true,
    ]);
  });

  test('retries a failed build only after the 5-minute back-off, deadline or not', () => {
    const failed = { ...freshProgress(10, T0), state: 'failed' as const, deadlineAt: T0 + 4 * HOUR };
    expect([needsStart(failed, T0 + FAILED_BACKOFF_MS), needsStart(failed, T0 + FAILED_BACKOFF_MS + 1)]).toEqual([false, true]);
  });
});
