/**
 * Environment -> typed, validated config. Read once at cold start; a bad
 * deployment fails loudly naming the variable (STYLE.md rule 5).
 */
import { bucketNameProblem } from './s3/bucketNameProblem';

export type TorrentSource = 'auto' | 'store' | 'generate';
export type SeedMode = 'redirect' | 'proxy';

export interface BucketPolicy {
  /** S3 bucket name. */
  name: string;
  /** 12-digit account id sent as ExpectedBucketOwner on every call. */
  expectedOwner: string;
  /** Send RequestPayer=requester (the owner's requester-pays bucket bills us). */
  requesterPays: boolean;
  /** Only keys starting with this prefix are served ('' = all). */
  prefix: string;
  /** auto: ask the store, build when it cannot; store: forward only; generate: always build. */
  source: TorrentSource;
}

export interface Config {
  buckets: ReadonlyMap<string, BucketPolicy>;
  s3: {
    region: string;
    endpoint?: string;
    forcePathStyle: boolean;
    requestTimeoutMs: number;
    maxAttempts: number;
  };
  cache: { bucket?: string; prefix: string; expectedOwner?: string };
  /** Base URL that downloaders reach (https://id.execute-api.region.amazonaws.com/prod). Derived from the request when unset. */
  publicBaseUrl?: string;
  seedMode: SeedMode;
  presignTtlSeconds: number;
  links: {
    /** Inline key ring JSON (local runtime, tests). */
    keysJson?: string;
    /** Secrets Manager secret holding the key ring JSON (deployed stacks). */
    keysSecretArn?: string;
    defaultTtlSeconds: number;
    maxTtlSeconds: number;
  };
  trackers: string[];
  /** In-process LRU of generated torrents per container (bytes; 0 = off). */
  memoryCacheBytes: number;
  /** How long to skip GetObjectTorrent on a bucket whose store answered NotImplemented (ms). */
  storeSupportTtlMs: number;
  /** Largest GetObjectTorrent body accepted from a store (bytes). */
  maxStoreTorrentBytes: number;
  /** Objects larger than this are refused for generation (bytes). */
  maxGenerateBytes: number;
  /** Larger objects are built in the background (202 Accepted until done). */
  syncGenerateMaxBytes: number;
  /** Objects larger than this are split into segments hashed in parallel (fan-out); 0 = never. */
  segmentBytes: number;
  /** The generate function (background builds, segments) where one is deployed. */
  asyncFunctionName?: string;
  /** Parallel ranged GetObject reads while building a torrent. */
  readConcurrency: number;
  /** Size of each ranged read (bytes). */
  readPartBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const ACCOUNT_ID = /^\d{12}$/;

const int = (env: Env, name: string, fallback: number, min: number, max: number): number => {
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

/**
 * Parses SERVED_BUCKETS: a JSON array of
 * `{ "name", "expectedOwner", "requesterPays"?, "prefix"?, "source"? }`.
 *
 * @example
 * parseBucketPolicies('[{"name":"demo","expectedOwner":"123456789000"}]')
 */
export const parseBucketPolicies = (raw: string | undefined): Map<string, BucketPolicy> => {
  const name = 'SERVED_BUCKETS';
  if (!raw) throw new ConfigError(name, 'is required (JSON array of served buckets)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError(name, 'must be a non-empty JSON array');
  const out = new Map<string, BucketPolicy>();
  parsed.forEach((entry, i) => {
    const at = `${name}[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new ConfigError(at, 'must be an object');
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string') throw new ConfigError(`${at}.name`, 'must be a string');
    const nameProblem = bucketNameProblem(e.name);
    if (nameProblem) throw new ConfigError(`${at}.name`, `is not a valid S3 bucket name: it ${nameProblem}`);
    if (typeof e.expectedOwner !== 'string' || !ACCOUNT_ID.test(e.expectedOwner)) {
      throw new ConfigError(`${at}.expectedOwner`, 'must be a 12-digit AWS account id');
    }
    const source = e.source ?? 'auto';
    if (source !== 'auto' && source !== 'store' && source !== 'generate') {
      throw new ConfigError(`${at}.source`, 'must be "auto", "store" or "generate"');
    }
    if (e.requesterPays !== undefined && typeof e.requesterPays !== 'boolean') throw new ConfigError(`${at}.requesterPays`, 'must be a boolean');
    if (e.prefix !== undefined && typeof e.prefix !== 'string') throw new ConfigError(`${at}.prefix`, 'must be a string');
    if (out.has(e.name)) throw new ConfigError(`${at}.name`, `lists "${e.name}" twice`);
    out.set(e.name, {
      name: e.name,
      expectedOwner: e.expectedOwner,
      requesterPays: e.requesterPays === true,
      prefix: (e.prefix as string | undefined) ?? '',
      source,
    });
  });
  return out;
};

/** Builds the config from an environment (defaults to process.env). Throws ConfigError. */
export const loadConfig = (env: Env = process.env): Config => {
  const seedMode = env.SEED_MODE ?? 'redirect';
  if (seedMode !== 'redirect' && seedMode !== 'proxy') throw new ConfigError('SEED_MODE', 'must be "redirect" or "proxy"');
  const publicBaseUrl = env.PUBLIC_BASE_URL?.replace(/\/+$/, '') || undefined;
  if (publicBaseUrl && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicBaseUrl)) {
    throw new ConfigError('PUBLIC_BASE_URL', 'must be an http(s) URL without query or fragment');
  }
  const endpoint = env.S3_ENDPOINT || undefined;
  if (endpoint && !/^https?:\/\//.test(endpoint)) throw new ConfigError('S3_ENDPOINT', 'must be an http(s) URL');
  if (!env.LINK_KEYS && !env.LINK_KEYS_SECRET_ARN) {
    throw new ConfigError('LINK_KEYS', 'or LINK_KEYS_SECRET_ARN is required (the share-link signing keys)');
  }
  const maxTtl = int(env, 'LINK_MAX_TTL_SECONDS', 30 * 86400, 1, 10 * 365 * 86400);
  // The default lifetime is 7 days, or the maximum when that is shorter.
  const defaultTtl = int(env, 'LINK_DEFAULT_TTL_SECONDS', Math.min(7 * 86400, maxTtl), 1, 10 * 365 * 86400);
  if (defaultTtl > maxTtl) throw new ConfigError('LINK_DEFAULT_TTL_SECONDS', `must not exceed LINK_MAX_TTL_SECONDS (${maxTtl})`);
  const trackers = (env.TRACKERS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of trackers) {
    if (!/^(https?|udp|wss?):\/\/\S+$/.test(t)) throw new ConfigError('TRACKERS', `has an invalid tracker URL "${t}"`);
  }
  return {
    buckets: parseBucketPolicies(env.SERVED_BUCKETS),
    s3: {
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
      endpoint,
      forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', Boolean(endpoint)),
      requestTimeoutMs: int(env, 'S3_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000),
      maxAttempts: int(env, 'S3_MAX_ATTEMPTS', 3, 1, 10),
    },
    cache: {
      bucket: env.CACHE_BUCKET || undefined,
      prefix: env.CACHE_PREFIX ?? 'torrents/',
      expectedOwner: env.CACHE_BUCKET_OWNER || undefined,
    },
    publicBaseUrl,
    seedMode,
    presignTtlSeconds: int(env, 'PRESIGN_TTL_SECONDS', 900, 60, 7 * 86400),
    links: {
      keysJson: env.LINK_KEYS || undefined,
      keysSecretArn: env.LINK_KEYS_SECRET_ARN || undefined,
      defaultTtlSeconds: defaultTtl,
      maxTtlSeconds: maxTtl,
    },
    trackers,
    memoryCacheBytes: int(env, 'MEMORY_CACHE_BYTES', 32 * 1024 * 1024, 0, 1024 ** 3),
    storeSupportTtlMs: int(env, 'STORE_SUPPORT_TTL_SECONDS', 600, 0, 86400) * 1000,
    maxStoreTorrentBytes: int(env, 'MAX_STORE_TORRENT_BYTES', 16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxGenerateBytes: int(env, 'MAX_GENERATE_BYTES', 5 * 1024 ** 4, 1, 5 * 1024 ** 4),
    syncGenerateMaxBytes: int(env, 'SYNC_GENERATE_MAX_BYTES', 1024 ** 3, 1, 5 * 1024 ** 4),
    segmentBytes: int(env, 'SEGMENT_BYTES', 64 * 1024 ** 3, 0, 5 * 1024 ** 4),
    asyncFunctionName: env.ASYNC_FUNCTION_NAME || undefined,
    readConcurrency: int(env, 'READ_CONCURRENCY', 4, 1, 64),
    readPartBytes: int(env, 'READ_PART_BYTES', 8 * 1024 * 1024, 64 * 1024, 512 * 1024 * 1024),
  };
};
