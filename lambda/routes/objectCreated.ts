/**
 * The generate function's EventBridge events (pre-build on upload, opt-in
 * per bucket): S3's "Object Created" event, parsed once
 * (prebuild/objectCreatedEvent.ts), handed to prebuildObject, the outcome
 * logged and returned. Events that name something the policy does not
 * pre-build answer `skipped` with the reason, not an error: EventBridge
 * would only deliver them again.
 */
import type { AppLogger } from '../observability/logger';
import { isObjectCreatedEvent, parseObjectCreated } from '../prebuild/objectCreatedEvent';
import { prebuildObject, type PrebuildOutcome } from '../prebuild/prebuildObject';
import type { Services } from '../services';

export { isObjectCreatedEvent };

/** Handles one "Object Created" event; 400 InvalidEvent when it is not one. */
export const objectCreated = async (s: Services, event: unknown, log: AppLogger): Promise<PrebuildOutcome> => {
  const created = parseObjectCreated(event);
  const outcome = await prebuildObject(s, created, log);
  log.info('pre-build on upload', { ...outcome, reason: created.reason, sequencer: created.sequencer });
  return outcome;
};
