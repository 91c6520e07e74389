import type { AppLogger } from '../observability/logger';
import type { FanoutBuild, FanoutInput } from './fanoutEvents';
import type { SegmentPlan } from './segmentPlan';

/**
 * Starts one execution of the build state machine: with @aws-sdk/client-sfn,
 * `(r) => sfn.send(new StartExecutionCommand({ stateMachineArn, ...r }))`.
 */
export type StartExecution = (request: { name: string; input: string }) => Promise<{ executionArn?: string }>;

/** Step Functions' limit on an execution's input (and every state's payload). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The state machine's input: the build and its planned segments. */
export const fanoutInput = (build: FanoutBuild, plan: SegmentPlan): FanoutInput => ({
  build: build.build,
  source: build.source,
  pieceLength: build.pieceLength,
  segments: plan.segments,
});

/**
 * Hands a planned build to Step Functions, named by its build id (so the
 * execution, its logs and its segment objects share one name), and returns
 * at once: nothing waits for the segments.
 */
export const startFanout = async (start: StartExecution, input: FanoutInput, log: AppLogger): Promise<string | undefined> => {
  const body = JSON.stringify(input);
  if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) throw new RangeError(`the build's input is ${Buffer.byteLength(body)} bytes, above ${MAX_PAYLOAD_BYTES}`);
  const { executionArn } = await start({ name: input.build, input: body });
  log.info('fan-out build started', {
    build: input.build,
    bucket: input.source.bucket,
    bytes: input.source.size,
    segments: input.segments.length,
    executionArn,
  });
  return executionArn;
};
