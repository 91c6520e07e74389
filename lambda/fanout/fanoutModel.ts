/**
 * The stated numbers the fan-out is sized from (docs/FANOUT.md). The
 * throughput, the lower bound and the concurrency are lambda/config's
 * defaults (FANOUT_BYTES_PER_SECOND, SEGMENT_BYTES, FANOUT_MAX_CONCURRENCY),
 * which a deployment may override; none is a measurement of this deployment.
 */
import { DEFAULTS, SEGMENT_MARGIN, SEGMENT_TIMEOUT_SECONDS, type Config } from '../config';

/** What the sizing model (segmentPlan.ts) needs to know about the segment function and the account. */
export interface FanoutModel {
  /**
   * Ranged S3 reads one segment function sustains, bytes/s. 75 MB/s is the low middle of the
   * published 50-150 MB/s: an iperf3 benchmark of Lambda (2024, two regions, 128-3008 MB) found a
   * steady 600 Mbps (75 MB/s) after a short burst, the same at every memory size; a language
   * comparison that streamed 1 GB from S3 topped out near 90 MB/s at 640 MB and above. AWS has since
   * announced bandwidth that grows with memory above 2 GB for functions outside a VPC, which would
   * make this conservative; nothing here relies on it. Sources are listed in docs/FANOUT.md.
   */
  bytesPerSecond: number;
  /** The segment function's timeout, seconds (Lambda's ceiling is 900). */
  timeoutSeconds: number;
  /** A segment is sized to finish in timeoutSeconds / margin at bytesPerSecond. */
  margin: number;
  /** No segment is smaller than this (rounded up to whole pieces): an object up to it is always one segment. */
  minSegmentBytes: number;
  /** Most segments hashed at once (the Map state's MaxConcurrency): a share of the account's Lambda concurrency. */
  maxConcurrency: number;
  /** The segment function's memory, MB: only for the GB-s estimate. */
  memoryMb: number;
}

export const FANOUT_MODEL: FanoutModel = Object.freeze({
  bytesPerSecond: DEFAULTS.fanoutBytesPerSecond,
  timeoutSeconds: SEGMENT_TIMEOUT_SECONDS,
  margin: SEGMENT_MARGIN,
  minSegmentBytes: DEFAULTS.segmentBytes,
  // 100 of the account's default 1,000 concurrent executions: the API's functions keep 900.
  maxConcurrency: DEFAULTS.fanoutMaxConcurrency,
  // The generate function's size (infra/stack/constructs/ProxyFunctions.ts): 2 vCPUs.
  memoryMb: 3538,
});

/**
 * The model a deployment's config states, or undefined when it turns the
 * fan-out off (SEGMENT_BYTES 0: every build runs in one function).
 *
 * @example
 * modelFor(loadConfig({ ...env, FANOUT_MAX_CONCURRENCY: '20' }))?.maxConcurrency // 20
 */
export const modelFor = (config: Pick<Config, 'segmentBytes' | 'fanout'>): FanoutModel | undefined =>
  config.segmentBytes === 0
    ? undefined
    : Object.freeze({
        ...FANOUT_MODEL,
        bytesPerSecond: config.fanout.bytesPerSecond,
        minSegmentBytes: config.segmentBytes,
        maxConcurrency: config.fanout.maxConcurrency,
      });

/**
 * Most segments one build may have: the execution input lists them all, and a Step Functions
 * payload is at most 256 KiB (a segment is about 60 bytes of JSON).
 */
export const MAX_SEGMENTS = 3000;

/**
 * How long one build's execution may run before Step Functions stops it: far beyond the worst
 * plan at the defaults (5 TiB: 3 waves of at most 900 s, each segment retried once on a timeout).
 */
export const BUILD_TIMEOUT_SECONDS = 4 * 3600;

/** Where a build's segment digests wait for the join, inside the cache prefix the functions are granted. */
export const segmentPrefix = (cachePrefix: string, build: string): string => `${cachePrefix}segments/${build}/`;

/** The object holding one segment's SHA-1 digests (20 bytes per piece, in order). */
export const segmentKey = (cachePrefix: string, build: string, index: number): string => `${segmentPrefix(cachePrefix, build)}${index}.sha1`;
