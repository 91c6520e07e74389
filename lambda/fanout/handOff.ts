import type { AppLogger } from '../observability/logger';
import type { CacheIdentity, FolderSnapshot } from '../torrents/cache/torrentCache';
import { buildIdFor } from './buildEntry';
import type { FanoutSource } from './fanoutEvents';
import { BUILD_TIMEOUT_SECONDS, type FanoutModel } from './fanoutModel';
import { segmentPlan } from './segmentPlan';
import { fanoutInput, startFanout, type StartExecution } from './startFanout';

export interface HandOffDeps {
  model: FanoutModel;
  /** StartExecution on the build state machine (@aws-sdk/client-sfn). */
  start: StartExecution;
  /** Writes the build's running marker with its deadline: `lambdaJobs.handedOff`. */
  handedOff: (id: CacheIdentity | FolderSnapshot, total: number, deadlineAt: number, startedAt: number) => Promise<void>;
  now?: () => number;
}

/** A build now run by the state machine. */
export interface HandedOff {
  build: string;
  segments: number;
  executionArn?: string;
}

/**
 * The generate function's side of the fan-out: a build whose plan has more
 * than one segment is handed to the state machine (its marker first, alive
 * until the execution's time limit, then the execution) and the function
 * returns; nothing waits for the segments. A plan of one segment answers
 * undefined: the caller builds it in one pass, as before.
 *
 * @example
 * const handed = await handOff(deps)(objectSource(target, head), id.pieceLength, id, log);
 * if (!handed) await builds.join(target, head, id, log).promise;
 */
export const handOff =
  ({ model, start, handedOff, now = Date.now }: HandOffDeps) =>
  async (source: FanoutSource, pieceLength: number, entry: CacheIdentity | FolderSnapshot, log: AppLogger): Promise<HandedOff | undefined> => {
    const plan = segmentPlan(source.size, pieceLength, model);
    if (plan.segments.length <= 1) return undefined;
    const startedAt = now();
    const build = buildIdFor(entry, startedAt);
    await handedOff(entry, source.size, startedAt + BUILD_TIMEOUT_SECONDS * 1000, startedAt);
    const executionArn = await startFanout(start, fanoutInput({ build, source, pieceLength }, plan), log);
    return { build, segments: plan.segments.length, executionArn };
  };
