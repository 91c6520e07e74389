import type { AppLogger } from '../observability/logger';
import type { FanoutBuild, FanoutInput } from './fanoutEvents';
import { FANOUT_MODEL, type FanoutModel } from './fanoutModel';
import type { failedHandler } from './failedHandler';
import type { JoinResult, joinHandler } from './joinHandler';
import { mapLimit } from './mapLimit';
import type { segmentHandler } from './segmentHandler';
import { segmentPlan } from './segmentPlan';
import { fanoutInput } from './startFanout';

/** The same three handlers the state machine invokes. */
export interface FanoutHandlers {
  segment: ReturnType<typeof segmentHandler>;
  join: ReturnType<typeof joinHandler>;
  failed: ReturnType<typeof failedHandler>;
}

/**
 * A fan-out build in this process, step for step what the state machine
 * runs: the plan, every segment through the segment handler (at most the
 * plan's concurrency at once), the join; on any failure the failed step,
 * then the error. The local runtime and tests use it; AWS runs the same
 * handlers from BuildStateMachine.
 *
 * @example
 * const { infoHash } = await localFanout({ build, source, pieceLength }, handlers, log);
 */
export const localFanout = async (build: FanoutBuild, handlers: FanoutHandlers, log: AppLogger, model: FanoutModel = FANOUT_MODEL): Promise<JoinResult> => {
  const plan = segmentPlan(build.source.size, build.pieceLength, model);
  const input: FanoutInput = fanoutInput(build, plan);
  try {
    await mapLimit(input.segments, plan.concurrency, (segment) => handlers.segment({ ...build, segment }, log));
    return await handlers.join(input, log);
  } catch (err) {
    await handlers.failed({ ...input, error: { Error: (err as Error).name ?? 'Error' } }, log);
    throw err;
  }
};
