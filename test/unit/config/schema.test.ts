import {
  BOUNDS,
  DEFAULTS,
  describeOneOf,
  ENV,
  FUNCTION_ROLES,
  LINK_KEY_ROLES,
  loadConfig,
  needsLinkKeys,
  needsPeerTable,
  parseBucketPolicies,
  PEER_TABLE_ROLES,
  SEED_MODES,
  SEEDING_MODES,
  SWARM_MODES,
  TORRENT_SOURCES,
  ConfigError,
} from '../../../lambda/config';

const minimal = {
  SERVED_BUCKETS: JSON.stringify([{ name: 'demo', expectedOwner: '123456789000' }]),
  LINK_KEYS: JSON.stringify({ active: 'k1', k1: 'x'.repeat(32) }),
};

/** The variable behind each bounded setting. */
const VARIABLE: Record<keyof typeof BOUNDS, string> = {
  s3RequestTimeoutMs: ENV.S3_REQUEST_TIMEOUT_MS,
  s3MaxAttempts: ENV.S3_MAX_ATTEMPTS,
  presignTtlSeconds: ENV.PRESIGN_TTL_SECONDS,
  linkDefaultTtlSeconds: ENV.LINK_DEFAULT_TTL_SECONDS,
  linkMaxTtlSeconds: ENV.LINK_MAX_TTL_SECONDS,
  memoryCacheBytes: ENV.MEMORY_CACHE_BYTES,
  storeSupportTtlSeconds: ENV.STORE_SUPPORT_TTL_SECONDS,
  maxStoreTorrentBytes: ENV.MAX_STORE_TORRENT_BYTES,
  maxGenerateBytes: ENV.MAX_GENERATE_BYTES,
  syncGenerateMaxBytes: ENV.SYNC_GENERATE_MAX_BYTES,
  segmentBytes: ENV.SEGMENT_BYTES,
  fanoutBytesPerSecond: ENV.FANOUT_BYTES_PER_SECOND,
  fanoutMaxConcurrency: ENV.FANOUT_MAX_CONCURRENCY,
  readConcurrency: ENV.READ_CONCURRENCY,
  readPartBytes: ENV.READ_PART_BYTES,
  trackerIntervalSeconds: ENV.TRACKER_INTERVAL_SECONDS,
  trackerMaxPeers: ENV.TRACKER_MAX_PEERS,
  seedDeferSeconds: ENV.SEED_DEFER_SECONDS,
  seedDeferMinSeeders: ENV.SEED_DEFER_MIN_SEEDERS,
  folderMaxFiles: ENV.FOLDER_MAX_FILES,
  folderMaxBytes: ENV.FOLDER_MAX_BYTES,
};
const bounded = Object.entries(BOUNDS) as [keyof typeof BOUNDS, { min: number; max: number }][];

const problem = (env: Record<string, string>): string | undefined => {
  try {
    loadConfig({ ...minimal, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return undefined;
};

describe('config schema', () => {
  test('names every variable after itself', () => {
    for (const [key, name] of Object.entries(ENV)) expect(name).toBe(key);
  });

  test.each(bounded)('keeps the default of %s within its bounds', (key, { min, max }) => {
    expect(DEFAULTS[key]).toBeGreaterThanOrEqual(min);
    expect(DEFAULTS[key]).toBeLessThanOrEqual(max);
  });

  test('is what loadConfig applies to a minimal environment', () => {
    const config = loadConfig(minimal);

    expect({
      region: config.s3.region,
      torrentSource: config.buckets.get('demo')?.source,
      swarmMode: config.buckets.get('demo')?.swarm,
      seedingMode: config.buckets.get('demo')?.seeding,
      seedMode: config.seedMode,
      s3RequestTimeoutMs: config.s3.requestTimeoutMs,
      s3MaxAttempts: config.s3.maxAttempts,
      cachePrefix: config.cache.prefix,
      presignTtlSeconds: config.presignTtlSeconds,
      linkDefaultTtlSeconds: config.links.defaultTtlSeconds,
      linkMaxTtlSeconds: config.links.maxTtlSeconds,
      memoryCacheBytes: config.memoryCacheBytes,
      storeSupportTtlSeconds: config.storeSupportTtlMs / 1000,
      maxStoreTorrentBytes: config.maxStoreTorrentBytes,
      maxGenerateBytes: config.maxGenerateBytes,
      syncGenerateMaxBytes: config.syncGenerateMaxBytes,
      segmentBytes: config.segmentBytes,
      fanoutBytesPerSecond: config.fanout.bytesPerSecond,
      fanoutMaxConcurrency: config.fanout.maxConcurrency,
      readConcurrency: config.readConcurrency,
      readPartBytes: config.readPartBytes,
      trackerIntervalSeconds: config.swarm.intervalSeconds,
      trackerMaxPeers: config.swarm.maxPeers,
      seedDeferSeconds: config.swarm.deferSeconds,
      seedDeferMinSeeders: config.swarm.minSeeders,
      folderMaxFiles: config.folders.maxFiles,
      folderMaxBytes: config.folders.maxBytes,
    }).toEqual(DEFAULTS);
  });

  test.each(bounded)('accepts %s at both bounds and refuses one past them', (key, { min, max }) => {
    const name = VARIABLE[key];
    // The default link lifetime may not exceed the maximum, so lift the maximum alongside it.
    // The fan-out's lower bound may not exceed the longest segment the throughput allows: lift one, or turn the other off.
    const beside: Record<string, string> =
      {
        linkDefaultTtlSeconds: { [ENV.LINK_MAX_TTL_SECONDS]: String(BOUNDS.linkMaxTtlSeconds.max) },
        segmentBytes: { [ENV.FANOUT_BYTES_PER_SECOND]: String(BOUNDS.fanoutBytesPerSecond.max) },
        fanoutBytesPerSecond: { [ENV.SEGMENT_BYTES]: '0' },
      }[key as string] ?? {};
    const outside = `Invalid configuration: ${name} must be between ${min} and ${max}`;

    expect(problem({ ...beside, [name]: String(min) })).toBeUndefined();
    expect(problem({ ...beside, [name]: String(max) })).toBeUndefined();
    expect(problem({ ...beside, [name]: String(max + 1) })).toBe(`${outside}, got ${max + 1}`);
    if (min > 0) expect(problem({ ...beside, [name]: String(min - 1) })).toBe(`${outside}, got ${min - 1}`);
  });

  test('refuses a SEGMENT_BYTES above the longest segment FANOUT_BYTES_PER_SECOND allows (throughput × 900 s / 3)', () => {
    expect(problem({ [ENV.FANOUT_BYTES_PER_SECOND]: '1000000', [ENV.SEGMENT_BYTES]: String(300_000_001) })).toBe(
      'Invalid configuration: SEGMENT_BYTES must not exceed 300000000 (FANOUT_BYTES_PER_SECOND × 900 s / 3), got 300000001',
    );
    expect(problem({ [ENV.FANOUT_BYTES_PER_SECOND]: '1000000', [ENV.SEGMENT_BYTES]: String(300_000_000) })).toBeUndefined();
    expect(problem({ [ENV.FANOUT_BYTES_PER_SECOND]: '1000', [ENV.SEGMENT_BYTES]: '0' })).toBeUndefined();
  });

  test.each(SEED_MODES)('accepts SEED_MODE %s', (mode) => {
    expect(loadConfig({ ...minimal, [ENV.SEED_MODE]: mode }).seedMode).toBe(mode);
  });

  test.each(TORRENT_SOURCES)('accepts a served bucket with source %s', (source) => {
    expect(parseBucketPolicies(JSON.stringify([{ name: 'demo', expectedOwner: '123456789000', source }])).get('demo')?.source).toBe(source);
  });

  test.each(SWARM_MODES)('accepts a served bucket with swarm %s', (swarm) => {
    expect(parseBucketPolicies(JSON.stringify([{ name: 'demo', expectedOwner: '123456789000', swarm }])).get('demo')?.swarm).toBe(swarm);
  });

  test.each(SEEDING_MODES)('accepts a served bucket with seeding %s', (seeding) => {
    expect(parseBucketPolicies(JSON.stringify([{ name: 'demo', expectedOwner: '123456789000', seeding }])).get('demo')?.seeding).toBe(seeding);
  });

  test('keeps the unions of a served bucket to the documented values', () => {
    expect([SWARM_MODES, SEEDING_MODES]).toEqual([
      ['private', 'public'],
      ['fallback', 'always'],
    ]);
    expect([DEFAULTS.swarmMode, DEFAULTS.seedingMode]).toEqual(['private', 'fallback']);
  });

  test('requires link keys in every role but generate (the tracker verifies tracker tokens)', () => {
    expect(FUNCTION_ROLES.filter((role) => !needsLinkKeys(role))).toEqual(['generate']);
    expect([...LINK_KEY_ROLES].sort()).toEqual(FUNCTION_ROLES.filter(needsLinkKeys).sort());
    expect(needsLinkKeys(undefined)).toBe(true);
    expect(needsLinkKeys('tracker')).toBe(true);
  });

  test('requires a peer table in the tracker and seed roles only, and not with the role unset (the local runtime sets its own)', () => {
    expect(FUNCTION_ROLES.filter(needsPeerTable)).toEqual(['seed', 'tracker']);
    expect([...PEER_TABLE_ROLES].sort()).toEqual(FUNCTION_ROLES.filter(needsPeerTable).sort());
    expect(needsPeerTable(undefined)).toBe(false);
  });
});

describe('describeOneOf', () => {
  test.each<[string[], string]>([
    [['auto', 'store', 'generate'], '"auto", "store" or "generate"'],
    [['redirect', 'proxy'], '"redirect" or "proxy"'],
    [['only'], '"only"'],
  ])('lists %j as %s', (values, text) => {
    expect(describeOneOf(values)).toBe(text);
  });
});
