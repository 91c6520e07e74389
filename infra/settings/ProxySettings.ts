/**
 * What a deployment may set. Settings that become a Lambda environment
 * variable take their values, unions and defaults from lambda/config; the
 * rest shape the stack itself and have their defaults here.
 */
import type { SeedingMode, SeedMode, SwarmMode, TorrentSource } from '../../lambda/config';

/** One served bucket as written in settings; missing fields take the Lambda's defaults. */
export interface ServedBucketInput {
  name: string;
  /** Defaults to the stack account. */
  expectedOwner?: string;
  requesterPays?: boolean;
  prefix?: string;
  source?: TorrentSource;
  swarm?: SwarmMode;
  seeding?: SeedingMode;
  /**
   * Pre-build on upload: true (every served key) or `{ prefixes }`. The stack adds an EventBridge rule
   * per bucket (constructs/PreBuild.ts); the bucket's owner must turn EventBridge notifications on.
   */
  prebuild?: boolean | { prefixes: string[] };
}

export interface ProxySettings {
  account?: string;
  region?: string;
  stackName?: string;
  /** SERVED_BUCKETS. */
  servedBuckets?: ServedBucketInput[];
  /** LINK_DEFAULT_TTL_SECONDS. */
  linkDefaultTtlSeconds?: number;
  /** LINK_MAX_TTL_SECONDS. */
  linkMaxTtlSeconds?: number;
  /** TRACKERS. */
  trackers?: string[];
  /** SEED_MODE. */
  seedMode?: SeedMode;
  alarmEmail?: string;
  throttlingRateLimit?: number;
  throttlingBurstLimit?: number;
  cacheExpirationDays?: number;
  /** Create the account-wide API Gateway CloudWatch Logs role (needed once per account and region). */
  apiGatewayCloudWatchRole?: boolean;
  /** SYNC_GENERATE_MAX_BYTES: larger objects are built in the background (202 until done). Unset: the Lambda's default. */
  syncGenerateMaxBytes?: number;
  /**
   * SEGMENT_BYTES: the smallest fan-out segment (objects and folders up to it are built by one function);
   * 0 = never fan out. At most FANOUT_BYTES_PER_SECOND × 900 s / 3. Unset: the Lambda's default (1 GiB).
   */
  segmentBytes?: number;
  /** FANOUT_BYTES_PER_SECOND: the stated ranged-read throughput of one segment function that sizes segments (docs/FANOUT.md). */
  fanoutBytesPerSecond?: number;
  /** FANOUT_MAX_CONCURRENCY: most segments at once, in the plan and as the state machine's MaxConcurrency. */
  fanoutMaxConcurrency?: number;
  /** TRACKER_INTERVAL_SECONDS: the announce interval told to peers. Unset: the Lambda's default. */
  trackerIntervalSeconds?: number;
  /** TRACKER_MAX_PEERS: most peers one announce returns. Unset: the Lambda's default. */
  trackerMaxPeers?: number;
  /** SEED_DEFER_SECONDS: how long the web seed keeps deferring one requester while the swarm has seeders; 0 = never. Unset: the Lambda's default. */
  seedDeferSeconds?: number;
  /** SEED_DEFER_MIN_SEEDERS: seeders the swarm needs before the web seed defers. Unset: the Lambda's default. */
  seedDeferMinSeeders?: number;
}

/** Every key a settings file or `-c` may carry. */
export const SETTING_KEYS: readonly (keyof ProxySettings)[] = [
  'account',
  'region',
  'stackName',
  'servedBuckets',
  'linkDefaultTtlSeconds',
  'linkMaxTtlSeconds',
  'trackers',
  'seedMode',
  'alarmEmail',
  'throttlingRateLimit',
  'throttlingBurstLimit',
  'cacheExpirationDays',
  'apiGatewayCloudWatchRole',
  'syncGenerateMaxBytes',
  'segmentBytes',
  'fanoutBytesPerSecond',
  'fanoutMaxConcurrency',
  'trackerIntervalSeconds',
  'trackerMaxPeers',
  'seedDeferSeconds',
  'seedDeferMinSeeders',
];

/** Defaults of the settings that only the stack reads (the Lambda's own are lambda/config's DEFAULTS). */
export const SETTINGS_DEFAULTS = {
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  cacheExpirationDays: 90,
  apiGatewayCloudWatchRole: true,
} as const satisfies ProxySettings;
