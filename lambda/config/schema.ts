/**
 * The one schema of the Lambda's configuration: the environment variables it
 * reads, the values they may take and what applies when one is unset.
 * loadConfig parses against it; infra/ imports it to write each function's
 * environment, so neither restates a name, a union or a default.
 */

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const DAY = 86_400;
/** S3's largest object. */
const MAX_OBJECT_BYTES = 5 * TiB;
const MAX_LINK_TTL_SECONDS = 10 * 365 * DAY;

/** Where a bucket's torrents come from. auto: ask the store, build when it cannot; store: forward only; generate: always build. */
export const TORRENT_SOURCES = ['auto', 'store', 'generate'] as const;
export type TorrentSource = (typeof TORRENT_SOURCES)[number];

/** How the seed route serves bytes: redirect to a presigned GetObject URL, or proxy them through the function. */
export const SEED_MODES = ['redirect', 'proxy'] as const;
export type SeedMode = (typeof SEED_MODES)[number];

/**
 * Where a bucket's peers find each other. private: only through the proxy's tracker, which admits
 * share-link holders (the torrent is marked private, BEP 27, so clients use no DHT or peer exchange);
 * public: also through DHT, peer exchange and other trackers.
 */
export const SWARM_MODES = ['private', 'public'] as const;
export type SwarmMode = (typeof SWARM_MODES)[number];

/**
 * When a bucket's web seed serves. fallback: it steps back from a requester for up to
 * SEED_DEFER_SECONDS while the swarm has SEED_DEFER_MIN_SEEDERS seeders, so peers carry the bytes
 * instead of S3 egress; always: it serves every request.
 */
export const SEEDING_MODES = ['fallback', 'always'] as const;
export type SeedingMode = (typeof SEEDING_MODES)[number];

/**
 * Which function a process runs, named like its handler. Unset: one process serving every handler
 * (the local runtime, tests), which needs everything any of them needs; only the peer table is left
 * to it (see needsPeerTable).
 */
export const FUNCTION_ROLES = ['torrent', 'seed', 'mint', 'generate', 'tracker'] as const;
export type FunctionRole = (typeof FUNCTION_ROLES)[number];

/**
 * Roles that sign or verify share links (the tracker verifies tracker tokens, signed with the same key
 * ring). The generate function does neither, so it runs without link keys.
 */
export const LINK_KEY_ROLES: readonly FunctionRole[] = ['torrent', 'seed', 'mint', 'tracker'];

/** Whether a process in this role (unset: every handler) needs LINK_KEYS or LINK_KEYS_SECRET_ARN. */
export const needsLinkKeys = (role: FunctionRole | undefined): boolean => role === undefined || LINK_KEY_ROLES.includes(role);

/** Roles that read or write the swarm's peer store: the tracker, and the web seed that asks it before serving. */
export const PEER_TABLE_ROLES: readonly FunctionRole[] = ['tracker', 'seed'];

/**
 * Whether a process in this role needs PEER_TABLE. Unlike link keys, an unset role does not: the local
 * runtime sets PEER_TABLE itself (its embedded DynamoDB-compatible server), and tests choose.
 */
export const needsPeerTable = (role: FunctionRole | undefined): boolean => role !== undefined && PEER_TABLE_ROLES.includes(role);

/** The segment function's timeout (Lambda's ceiling, the generate function's), s: the fan-out model sizes segments against it. */
export const SEGMENT_TIMEOUT_SECONDS = 900;
/** A segment is sized to finish in a third of that timeout at the stated throughput. */
export const SEGMENT_MARGIN = 3;

/** Names of the environment variables loadConfig reads. */
export const ENV = {
  /** JSON array of served buckets (see parseBucketPolicies). Required. */
  SERVED_BUCKETS: 'SERVED_BUCKETS',
  /** One of FUNCTION_ROLES. */
  FUNCTION_ROLE: 'FUNCTION_ROLE',
  /** Set by the Lambda runtime; AWS_DEFAULT_REGION, then DEFAULTS.region, when unset. */
  AWS_REGION: 'AWS_REGION',
  AWS_DEFAULT_REGION: 'AWS_DEFAULT_REGION',
  /** An S3-compatible store's http(s) URL; unset for AWS S3. */
  S3_ENDPOINT: 'S3_ENDPOINT',
  /** true/false; defaults to true exactly when S3_ENDPOINT is set. */
  S3_FORCE_PATH_STYLE: 'S3_FORCE_PATH_STYLE',
  S3_REQUEST_TIMEOUT_MS: 'S3_REQUEST_TIMEOUT_MS',
  S3_MAX_ATTEMPTS: 'S3_MAX_ATTEMPTS',
  /** The bucket that caches generated torrents; unset: no shared cache. */
  CACHE_BUCKET: 'CACHE_BUCKET',
  CACHE_PREFIX: 'CACHE_PREFIX',
  CACHE_BUCKET_OWNER: 'CACHE_BUCKET_OWNER',
  /** Base URL that downloaders reach; derived from each request when unset. */
  PUBLIC_BASE_URL: 'PUBLIC_BASE_URL',
  SEED_MODE: 'SEED_MODE',
  PRESIGN_TTL_SECONDS: 'PRESIGN_TTL_SECONDS',
  /** The share-link key ring as inline JSON (local runtime, tests). */
  LINK_KEYS: 'LINK_KEYS',
  /** The Secrets Manager secret holding the key ring (deployed stacks). */
  LINK_KEYS_SECRET_ARN: 'LINK_KEYS_SECRET_ARN',
  LINK_DEFAULT_TTL_SECONDS: 'LINK_DEFAULT_TTL_SECONDS',
  LINK_MAX_TTL_SECONDS: 'LINK_MAX_TTL_SECONDS',
  /** Comma-separated http(s), udp or ws(s) tracker URLs. */
  TRACKERS: 'TRACKERS',
  MEMORY_CACHE_BYTES: 'MEMORY_CACHE_BYTES',
  STORE_SUPPORT_TTL_SECONDS: 'STORE_SUPPORT_TTL_SECONDS',
  MAX_STORE_TORRENT_BYTES: 'MAX_STORE_TORRENT_BYTES',
  MAX_GENERATE_BYTES: 'MAX_GENERATE_BYTES',
  SYNC_GENERATE_MAX_BYTES: 'SYNC_GENERATE_MAX_BYTES',
  /** The smallest fan-out segment: an object (or folder) up to this is built by one function; 0 = never fan out. */
  SEGMENT_BYTES: 'SEGMENT_BYTES',
  /** The generate function (background builds, fan-out segments) where one is deployed. */
  ASYNC_FUNCTION_NAME: 'ASYNC_FUNCTION_NAME',
  /** The fan-out state machine (docs/FANOUT.md) the generate function starts for builds of more than one segment. */
  BUILD_STATE_MACHINE_ARN: 'BUILD_STATE_MACHINE_ARN',
  /** Ranged-read throughput stated per segment function (bytes/s): segments are sized to finish in a third of its timeout at it. */
  FANOUT_BYTES_PER_SECOND: 'FANOUT_BYTES_PER_SECOND',
  /** Most segments hashed at once: the plan's waves and the state machine's MaxConcurrency. */
  FANOUT_MAX_CONCURRENCY: 'FANOUT_MAX_CONCURRENCY',
  READ_CONCURRENCY: 'READ_CONCURRENCY',
  READ_PART_BYTES: 'READ_PART_BYTES',
  /** The DynamoDB table of the swarm's peer store. Required in the roles of PEER_TABLE_ROLES. */
  PEER_TABLE: 'PEER_TABLE',
  /** A DynamoDB-compatible server's http(s) URL (the local runtime's embedded one); unset for AWS DynamoDB. */
  DYNAMODB_ENDPOINT: 'DYNAMODB_ENDPOINT',
  /** Seconds between a peer's announces, as the tracker tells it; a peer silent for two intervals is gone. */
  TRACKER_INTERVAL_SECONDS: 'TRACKER_INTERVAL_SECONDS',
  /** Most peers one announce returns (caps the client's numwant). */
  TRACKER_MAX_PEERS: 'TRACKER_MAX_PEERS',
  /** How long the web seed keeps deferring one requester address while the swarm has seeders; 0: never defers. */
  SEED_DEFER_SECONDS: 'SEED_DEFER_SECONDS',
  /** Complete peers (seeders) the swarm needs before the web seed defers. */
  SEED_DEFER_MIN_SEEDERS: 'SEED_DEFER_MIN_SEEDERS',
  /** Most files one folder torrent may list (a folder with more is refused with 422). */
  FOLDER_MAX_FILES: 'FOLDER_MAX_FILES',
  /** Most bytes one folder torrent may describe. */
  FOLDER_MAX_BYTES: 'FOLDER_MAX_BYTES',
} as const;

/** What applies when a variable is unset, in the variable's own unit. */
export const DEFAULTS = {
  region: 'us-east-1',
  /** A served bucket's source. */
  torrentSource: 'auto',
  /** A served bucket's swarm. */
  swarmMode: 'private',
  /** A served bucket's seeding. */
  seedingMode: 'fallback',
  seedMode: 'redirect',
  s3RequestTimeoutMs: 10_000,
  s3MaxAttempts: 3,
  cachePrefix: 'torrents/',
  presignTtlSeconds: 900,
  /** 7 days, or LINK_MAX_TTL_SECONDS when that is shorter. */
  linkDefaultTtlSeconds: 7 * DAY,
  linkMaxTtlSeconds: 30 * DAY,
  memoryCacheBytes: 32 * MiB,
  storeSupportTtlSeconds: 600,
  maxStoreTorrentBytes: 16 * MiB,
  maxGenerateBytes: MAX_OBJECT_BYTES,
  syncGenerateMaxBytes: GiB,
  /** The fan-out model's lower bound on a segment (lambda/fanout/fanoutModel.ts). */
  segmentBytes: GiB,
  /** The low middle of the published 50-150 MB/s of one function's S3 reads (docs/FANOUT.md). */
  fanoutBytesPerSecond: 75e6,
  /** A tenth of an account's default 1,000 concurrent Lambda executions. */
  fanoutMaxConcurrency: 100,
  readConcurrency: 4,
  readPartBytes: 8 * MiB,
  trackerIntervalSeconds: 60,
  trackerMaxPeers: 50,
  seedDeferSeconds: 30,
  seedDeferMinSeeders: 1,
  folderMaxFiles: 10_000,
  folderMaxBytes: 5 * 1024 ** 4,
} as const satisfies Record<string, string | number> & {
  torrentSource: TorrentSource;
  seedMode: SeedMode;
  swarmMode: SwarmMode;
  seedingMode: SeedingMode;
};

export interface Bounds {
  min: number;
  max: number;
}

/** Inclusive range of every whole-number variable, keyed like DEFAULTS. 0 turns a cache, fan-out or the web seed's deferral off. */
export const BOUNDS = {
  s3RequestTimeoutMs: { min: 100, max: 600_000 },
  s3MaxAttempts: { min: 1, max: 10 },
  presignTtlSeconds: { min: 60, max: 7 * DAY },
  linkDefaultTtlSeconds: { min: 1, max: MAX_LINK_TTL_SECONDS },
  linkMaxTtlSeconds: { min: 1, max: MAX_LINK_TTL_SECONDS },
  memoryCacheBytes: { min: 0, max: GiB },
  storeSupportTtlSeconds: { min: 0, max: DAY },
  maxStoreTorrentBytes: { min: KiB, max: 256 * MiB },
  maxGenerateBytes: { min: 1, max: MAX_OBJECT_BYTES },
  syncGenerateMaxBytes: { min: 1, max: MAX_OBJECT_BYTES },
  // Also at most the longest segment the model allows (loadConfig checks it against FANOUT_BYTES_PER_SECOND).
  segmentBytes: { min: 0, max: TiB },
  // 1 kB/s lets tests cut a few MiB into segments; no function reads faster than 10 GB/s.
  fanoutBytesPerSecond: { min: 1000, max: 10e9 },
  // A Distributed Map runs at most 10,000 child executions at once.
  fanoutMaxConcurrency: { min: 1, max: 10_000 },
  readConcurrency: { min: 1, max: 64 },
  readPartBytes: { min: 64 * KiB, max: 512 * MiB },
  trackerIntervalSeconds: { min: 5, max: 3600 },
  trackerMaxPeers: { min: 1, max: 200 },
  seedDeferSeconds: { min: 0, max: 600 },
  seedDeferMinSeeders: { min: 1, max: 1000 },
  folderMaxFiles: { min: 1, max: 1_000_000 },
  folderMaxBytes: { min: 1, max: 5 * 1024 ** 4 },
} as const satisfies { [K in keyof typeof DEFAULTS]?: Bounds };
