/**
 * Environment -> typed, validated config. Read once at cold start; a bad
 * deployment fails loudly naming the variable.
 */
import { ConfigError } from './ConfigError';
import { describeOneOf, isOneOf } from './oneOf';
import { parseBucketPolicies } from './parseBucketPolicies';
import {
  BOUNDS,
  DEFAULTS,
  ENV,
  FUNCTION_ROLES,
  SEGMENT_MARGIN,
  SEGMENT_TIMEOUT_SECONDS,
  needsLinkKeys,
  needsPeerTable,
  SEED_MODES,
  type Bounds,
  type FunctionRole,
  type SeedMode,
} from './schema';
import type { Config, Env } from './types';

const int = (env: Env, name: string, fallback: number, { min, max }: Bounds): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
};

const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
};

const functionRole = (env: Env): FunctionRole | undefined => {
  const raw = env[ENV.FUNCTION_ROLE];
  if (raw === undefined || raw === '') return undefined;
  if (!isOneOf(FUNCTION_ROLES, raw)) throw new ConfigError(ENV.FUNCTION_ROLE, `must be ${describeOneOf(FUNCTION_ROLES)}`);
  return raw;
};

/** An optional http(s) URL override of an AWS endpoint (S3_ENDPOINT, DYNAMODB_ENDPOINT). */
const endpointUrl = (env: Env, name: string): string | undefined => {
  const raw = env[name] || undefined;
  if (raw && !/^https?:\/\//.test(raw)) throw new ConfigError(name, 'must be an http(s) URL');
  return raw;
};

/**
 * Builds the config from an environment (defaults to process.env). Throws ConfigError.
 * LINK_KEYS or LINK_KEYS_SECRET_ARN is required unless FUNCTION_ROLE is one that never
 * touches share links (generate); PEER_TABLE is required when FUNCTION_ROLE is one that
 * uses the peer store (tracker, seed).
 */
export const loadConfig = (env: Env = process.env): Config => {
  const seedMode: string = env[ENV.SEED_MODE] ?? DEFAULTS.seedMode;
  if (!isOneOf<SeedMode>(SEED_MODES, seedMode)) throw new ConfigError(ENV.SEED_MODE, `must be ${describeOneOf(SEED_MODES)}`);
  const publicBaseUrl = env[ENV.PUBLIC_BASE_URL]?.replace(/\/+$/, '') || undefined;
  if (publicBaseUrl && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicBaseUrl)) {
    throw new ConfigError(ENV.PUBLIC_BASE_URL, 'must be an http(s) URL without query or fragment');
  }
  const endpoint = endpointUrl(env, ENV.S3_ENDPOINT);
  const role = functionRole(env);
  const keysJson = env[ENV.LINK_KEYS] || undefined;
  const keysSecretArn = env[ENV.LINK_KEYS_SECRET_ARN] || undefined;
  if (needsLinkKeys(role) && !keysJson && !keysSecretArn) {
    throw new ConfigError(ENV.LINK_KEYS, `or ${ENV.LINK_KEYS_SECRET_ARN} is required (the share-link signing keys)`);
  }
  const peerTable = env[ENV.PEER_TABLE] || undefined;
  if (needsPeerTable(role) && !peerTable) {
    throw new ConfigError(ENV.PEER_TABLE, `is required when ${ENV.FUNCTION_ROLE} is "${role}" (the DynamoDB table of the swarm's peers)`);
  }
  const maxTtl = int(env, ENV.LINK_MAX_TTL_SECONDS, DEFAULTS.linkMaxTtlSeconds, BOUNDS.linkMaxTtlSeconds);
  const defaultTtl = int(env, ENV.LINK_DEFAULT_TTL_SECONDS, Math.min(DEFAULTS.linkDefaultTtlSeconds, maxTtl), BOUNDS.linkDefaultTtlSeconds);
  if (defaultTtl > maxTtl) throw new ConfigError(ENV.LINK_DEFAULT_TTL_SECONDS, `must not exceed ${ENV.LINK_MAX_TTL_SECONDS} (${maxTtl})`);
  const trackers = (env[ENV.TRACKERS] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of trackers) {
    if (!/^(https?|udp|wss?):\/\/\S+$/.test(t)) throw new ConfigError(ENV.TRACKERS, `has an invalid tracker URL "${t}"`);
  }
  const fanoutBytesPerSecond = int(env, ENV.FANOUT_BYTES_PER_SECOND, DEFAULTS.fanoutBytesPerSecond, BOUNDS.fanoutBytesPerSecond);
  const segmentBytes = int(env, ENV.SEGMENT_BYTES, DEFAULTS.segmentBytes, BOUNDS.segmentBytes);
  // The longest segment the fan-out model allows (throughput × timeout / margin): the lower bound must not exceed it.
  const longestSegment = Math.floor((fanoutBytesPerSecond * SEGMENT_TIMEOUT_SECONDS) / SEGMENT_MARGIN);
  if (segmentBytes > longestSegment) {
    throw new ConfigError(
      ENV.SEGMENT_BYTES,
      `must not exceed ${longestSegment} (${ENV.FANOUT_BYTES_PER_SECOND} × ${SEGMENT_TIMEOUT_SECONDS} s / ${SEGMENT_MARGIN}), got ${segmentBytes}`,
    );
  }
  const stateMachineArn = env[ENV.BUILD_STATE_MACHINE_ARN] || undefined;
  return {
    buckets: parseBucketPolicies(env[ENV.SERVED_BUCKETS]),
    s3: {
      region: env[ENV.AWS_REGION] || env[ENV.AWS_DEFAULT_REGION] || DEFAULTS.region,
      endpoint,
      forcePathStyle: bool(env, ENV.S3_FORCE_PATH_STYLE, Boolean(endpoint)),
      requestTimeoutMs: int(env, ENV.S3_REQUEST_TIMEOUT_MS, DEFAULTS.s3RequestTimeoutMs, BOUNDS.s3RequestTimeoutMs),
      maxAttempts: int(env, ENV.S3_MAX_ATTEMPTS, DEFAULTS.s3MaxAttempts, BOUNDS.s3MaxAttempts),
    },
    cache: {
      bucket: env[ENV.CACHE_BUCKET] || undefined,
      prefix: env[ENV.CACHE_PREFIX] ?? DEFAULTS.cachePrefix,
      expectedOwner: env[ENV.CACHE_BUCKET_OWNER] || undefined,
    },
    publicBaseUrl,
    seedMode,
    presignTtlSeconds: int(env, ENV.PRESIGN_TTL_SECONDS, DEFAULTS.presignTtlSeconds, BOUNDS.presignTtlSeconds),
    links: { keysJson, keysSecretArn, defaultTtlSeconds: defaultTtl, maxTtlSeconds: maxTtl },
    trackers,
    memoryCacheBytes: int(env, ENV.MEMORY_CACHE_BYTES, DEFAULTS.memoryCacheBytes, BOUNDS.memoryCacheBytes),
    storeSupportTtlMs: int(env, ENV.STORE_SUPPORT_TTL_SECONDS, DEFAULTS.storeSupportTtlSeconds, BOUNDS.storeSupportTtlSeconds) * 1000,
    maxStoreTorrentBytes: int(env, ENV.MAX_STORE_TORRENT_BYTES, DEFAULTS.maxStoreTorrentBytes, BOUNDS.maxStoreTorrentBytes),
    maxGenerateBytes: int(env, ENV.MAX_GENERATE_BYTES, DEFAULTS.maxGenerateBytes, BOUNDS.maxGenerateBytes),
    syncGenerateMaxBytes: int(env, ENV.SYNC_GENERATE_MAX_BYTES, DEFAULTS.syncGenerateMaxBytes, BOUNDS.syncGenerateMaxBytes),
    segmentBytes,
    asyncFunctionName: env[ENV.ASYNC_FUNCTION_NAME] || undefined,
    fanout: {
      stateMachineArn,
      bytesPerSecond: fanoutBytesPerSecond,
      maxConcurrency: int(env, ENV.FANOUT_MAX_CONCURRENCY, DEFAULTS.fanoutMaxConcurrency, BOUNDS.fanoutMaxConcurrency),
    },
    readConcurrency: int(env, ENV.READ_CONCURRENCY, DEFAULTS.readConcurrency, BOUNDS.readConcurrency),
    readPartBytes: int(env, ENV.READ_PART_BYTES, DEFAULTS.readPartBytes, BOUNDS.readPartBytes),
    swarm: {
      peerTable,
      dynamoEndpoint: endpointUrl(env, ENV.DYNAMODB_ENDPOINT),
      intervalSeconds: int(env, ENV.TRACKER_INTERVAL_SECONDS, DEFAULTS.trackerIntervalSeconds, BOUNDS.trackerIntervalSeconds),
      maxPeers: int(env, ENV.TRACKER_MAX_PEERS, DEFAULTS.trackerMaxPeers, BOUNDS.trackerMaxPeers),
      deferSeconds: int(env, ENV.SEED_DEFER_SECONDS, DEFAULTS.seedDeferSeconds, BOUNDS.seedDeferSeconds),
      minSeeders: int(env, ENV.SEED_DEFER_MIN_SEEDERS, DEFAULTS.seedDeferMinSeeders, BOUNDS.seedDeferMinSeeders),
    },
    folders: {
      maxFiles: int(env, ENV.FOLDER_MAX_FILES, DEFAULTS.folderMaxFiles, BOUNDS.folderMaxFiles),
      maxBytes: int(env, ENV.FOLDER_MAX_BYTES, DEFAULTS.folderMaxBytes, BOUNDS.folderMaxBytes),
    },
  };
};
