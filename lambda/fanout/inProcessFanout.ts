import type { AppLogger } from '../observability/logger';
import type { CacheIdentity, FolderSnapshot } from '../torrents/cache/torrentCache';
import { buildIdFor } from './buildEntry';
import type { FanoutSource } from './fanoutEvents';
import type { FanoutModel } from './fanoutModel';
import type { JoinResult } from './joinHandler';
import { localFanout, type FanoutHandlers } from './localFanout';
import { segmentPlan } from './segmentPlan';

/**
 * Segments hashed at once in one process: the hash pool has a worker per
 * core, and each segment already keeps READ_CONCURRENCY reads in flight.
 */
export const IN_PROCESS_CONCURRENCY = 4;

export interface InProcessFanoutDeps {
  handlers: FanoutHandlers;
  model: FanoutModel;
  now?: () => number;
}

/**
 * A build of more than one segment run in this process (the local
 * runtime): the same plan, segment, join and failed handlers the state
 * machine invokes in AWS, at most IN_PROCESS_CONCURRENCY segments at once,
 * progress counted as segments finish. The join caches the torrent; a plan
 * of one segment answers undefined (the caller hashes it in one pass).
 *
 * @example
 * const joined = await inProcessFanout(deps)(objectSource(target, head), id, id.pieceLength, log, (n) => report(n));
 */
export const inProcessFanout =
  ({ handlers, model, now = Date.now }: InProcessFanoutDeps) =>
  async (
    source: FanoutSource,
    entry: CacheIdentity | FolderSnapshot,
    pieceLength: number,
    log: AppLogger,
    onProgress?: (bytesDone: number) => void,
  ): Promise<JoinResult | undefined> => {
    const local = { ...model, maxConcurrency: Math.min(model.maxConcurrency, IN_PROCESS_CONCURRENCY) };
    if (segmentPlan(source.size, pieceLength, local).segments.length <= 1) return undefined;
    let done = 0;
    const counted: FanoutHandlers = {
      ...handlers,
      segment: async (event, l) => {
        const result = await handlers.segment(event, l);
        done = Math.min(source.size, done + result.pieces * pieceLength);
        onProgress?.(done);
        return result;
      },
    };
    return localFanout({ build: buildIdFor(entry, now()), source, pieceLength }, counted, log, local);
  };
