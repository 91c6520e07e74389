import { ConfigError, loadConfig } from '../../../lambda/config';

const KEYS = JSON.stringify({ active: 'k1', k1: 'x'.repeat(32) });
const BUCKETS = JSON.stringify([{ name: 'demo', expectedOwner: '123456789000' }]);
const minimal = { SERVED_BUCKETS: BUCKETS, LINK_KEYS: KEYS };

const failure = (env: Record<string, string | undefined>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { variable: err.variable, message: err.message };
  }
  return undefined;
};
const bucketsFailure = (value: unknown) => failure({ ...minimal, SERVED_BUCKETS: typeof value === 'string' ? value : JSON.stringify(value) });

describe('loadConfig', () => {
  test('fills the documented defaults around a minimal environment', () => {
    // Act
    const config = loadConfig(minimal);

    // Assert
    expect(config).toEqual({
      buckets: new Map([
        ['demo', { name: 'demo', expectedOwner: '123456789000', requesterPays: false, prefix: '', source: 'auto', swarm: 'private', seeding: 'fallback' }],
      ]),
      s3: { region: 'us-east-1', endpoint: undefined, forcePathStyle: false, requestTimeoutMs: 10_000, maxAttempts: 3 },
      cache: { bucket: undefined, prefix: 'torrents/', expectedOwner: undefined },
      publicBaseUrl: undefined,
      seedMode: 'redirect',
      presignTtlSeconds: 900,
      links: { keysJson: KEYS, keysSecretArn: undefined, defaultTtlSeconds: 7 * 86_400, maxTtlSeconds: 30 * 86_400 },
      trackers: [],
      memoryCacheBytes: 32 * 1024 * 1024,
      storeSupportTtlMs: 600_000,
      maxStoreTorrentBytes: 16 * 1024 * 1024,
      maxGenerateBytes: 5 * 1024 ** 4,
      syncGenerateMaxBytes: 1024 ** 3,
      segmentBytes: 1024 ** 3,
      asyncFunctionName: undefined,
      fanout: { stateMachineArn: undefined, bytesPerSecond: 75e6, maxConcurrency: 100 },
      readConcurrency: 4,
      readPartBytes: 8 * 1024 * 1024,
      swarm: { peerTable: undefined, dynamoEndpoint: undefined, intervalSeconds: 60, maxPeers: 50, deferSeconds: 30, minSeeders: 1 },
      folders: { maxFiles: 10_000, maxBytes: 5 * 1024 ** 4 },
    });
  });

  test('reads every variable when all are set', () => {
    // Arrange
    const env = {
      SERVED_BUCKETS: JSON.stringify([
        { name: 'demo', expectedOwner: '123456789000', requesterPays: true, prefix: 'public/', source: 'generate', swarm: 'public', seeding: 'always' },
        { name: 'other.bucket', expectedOwner: '000000000001', source: 'store' },
      ]),
      LINK_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:links-AbCdEf',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'us-west-2',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
      S3_REQUEST_TIMEOUT_MS: '2000',
      S3_MAX_ATTEMPTS: '5',
      CACHE_BUCKET: 'torrent-cache',
      CACHE_PREFIX: 'c/',
      CACHE_BUCKET_OWNER: '123456789012',
      PUBLIC_BASE_URL: 'https://torrents.example.com/v1//',
      SEED_MODE: 'proxy',
      PRESIGN_TTL_SECONDS: '60',
      LINK_DEFAULT_TTL_SECONDS: '3600',
      LINK_MAX_TTL_SECONDS: '86400',
      TRACKERS: ' udp://t.example:1337/announce , ,wss://w.example/ ',
      MAX_STORE_TORRENT_BYTES: '1024',
      MAX_GENERATE_BYTES: '1073741824',
      SYNC_GENERATE_MAX_BYTES: '1048576',
      SEGMENT_BYTES: '0',
      ASYNC_FUNCTION_NAME: 'generate',
      BUILD_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Proxy-build',
      FANOUT_BYTES_PER_SECOND: '50000000',
      FANOUT_MAX_CONCURRENCY: '20',
      READ_CONCURRENCY: '64',
      READ_PART_BYTES: '65536',
      MEMORY_CACHE_BYTES: '0',
      STORE_SUPPORT_TTL_SECONDS: '30',
      FUNCTION_ROLE: 'tracker',
      PEER_TABLE: 'Proxy-PeerTable-ABC123',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
      TRACKER_INTERVAL_SECONDS: '1800',
      TRACKER_MAX_PEERS: '200',
      SEED_DEFER_SECONDS: '0',
      SEED_DEFER_MIN_SEEDERS: '5',
      FOLDER_MAX_FILES: '500',
      FOLDER_MAX_BYTES: '1000000',
    };

    // Act
    const config = loadConfig(env);

    // Assert
    expect(config).toEqual({
      buckets: new Map([
        [
          'demo',
          { name: 'demo', expectedOwner: '123456789000', requesterPays: true, prefix: 'public/', source: 'generate', swarm: 'public', seeding: 'always' },
        ],
        [
          'other.bucket',
          { name: 'other.bucket', expectedOwner: '000000000001', requesterPays: false, prefix: '', source: 'store', swarm: 'private', seeding: 'fallback' },
        ],
      ]),
      s3: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4568', forcePathStyle: true, requestTimeoutMs: 2000, maxAttempts: 5 },
      cache: { bucket: 'torrent-cache', prefix: 'c/', expectedOwner: '123456789012' },
      publicBaseUrl: 'https://torrents.example.com/v1',
      seedMode: 'proxy',
      presignTtlSeconds: 60,
      links: { keysJson: undefined, keysSecretArn: env.LINK_KEYS_SECRET_ARN, defaultTtlSeconds: 3600, maxTtlSeconds: 86_400 },
      trackers: ['udp://t.example:1337/announce', 'wss://w.example/'],
      memoryCacheBytes: 0,
      storeSupportTtlMs: 30_000,
      maxStoreTorrentBytes: 1024,
      maxGenerateBytes: 1_073_741_824,
      syncGenerateMaxBytes: 1_048_576,
      segmentBytes: 0,
      asyncFunctionName: 'generate',
      fanout: { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Proxy-build', bytesPerSecond: 50_000_000, maxConcurrency: 20 },
      readConcurrency: 64,
      readPartBytes: 65_536,
      swarm: {
        peerTable: 'Proxy-PeerTable-ABC123',
        dynamoEndpoint: 'http://127.0.0.1:4567',
        intervalSeconds: 1800,
        maxPeers: 200,
        deferSeconds: 0,
        minSeeders: 5,
      },
      folders: { maxFiles: 500, maxBytes: 1_000_000 },
    });
  });

  test.each([
    ['AWS_DEFAULT_REGION when AWS_REGION is unset', { AWS_DEFAULT_REGION: 'us-west-2' }, 'us-west-2'],
    ['us-east-1 when AWS_REGION is empty', { AWS_REGION: '' }, 'us-east-1'],
  ])('uses %s', (_label, env, region) => {
    expect(loadConfig({ ...minimal, ...env }).s3.region).toBe(region);
  });

  test.each([
    ['path style by default with a custom endpoint', { S3_ENDPOINT: 'https://minio.example' }, true],
    ['virtual-hosted style when told, even with an endpoint', { S3_ENDPOINT: 'https://minio.example', S3_FORCE_PATH_STYLE: 'false' }, false],
    ['path style when told with 1', { S3_FORCE_PATH_STYLE: '1' }, true],
  ])('chooses %s', (_label, env, forcePathStyle) => {
    expect(loadConfig({ ...minimal, ...env }).s3.forcePathStyle).toBe(forcePathStyle);
  });

  test.each<[string, unknown, { variable: string; message: string }]>([
    ['missing', undefined, { variable: 'SERVED_BUCKETS', message: 'Invalid configuration: SERVED_BUCKETS is required (JSON array of served buckets)' }],
    ['empty', '', { variable: 'SERVED_BUCKETS', message: 'Invalid configuration: SERVED_BUCKETS is required (JSON array of served buckets)' }],
    ['invalid JSON', '[{"name":', { variable: 'SERVED_BUCKETS', message: 'Invalid configuration: SERVED_BUCKETS is not valid JSON' }],
    ['an empty array', [], { variable: 'SERVED_BUCKETS', message: 'Invalid configuration: SERVED_BUCKETS must be a non-empty JSON array' }],
    ['an object', { name: 'demo' }, { variable: 'SERVED_BUCKETS', message: 'Invalid configuration: SERVED_BUCKETS must be a non-empty JSON array' }],
    ['a string entry', ['demo'], { variable: 'SERVED_BUCKETS[0]', message: 'Invalid configuration: SERVED_BUCKETS[0] must be an object' }],
    [
      'an uppercase bucket name',
      [{ name: 'Demo', expectedOwner: '123456789000' }],
      {
        variable: 'SERVED_BUCKETS[0].name',
        message:
          'Invalid configuration: SERVED_BUCKETS[0].name is not a valid S3 bucket name: it may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit',
      },
    ],
    [
      'a reserved bucket prefix',
      [{ name: 'xn--demo', expectedOwner: '123456789000' }],
      { variable: 'SERVED_BUCKETS[0].name', message: 'Invalid configuration: SERVED_BUCKETS[0].name is not a valid S3 bucket name: it uses a reserved prefix' },
    ],
    [
      'a bucket name of two characters',
      [{ name: 'ab', expectedOwner: '123456789000' }],
      {
        variable: 'SERVED_BUCKETS[0].name',
        message: 'Invalid configuration: SERVED_BUCKETS[0].name is not a valid S3 bucket name: it must be 3 to 63 characters long',
      },
    ],
    [
      'a missing owner',
      [{ name: 'demo' }],
      { variable: 'SERVED_BUCKETS[0].expectedOwner', message: 'Invalid configuration: SERVED_BUCKETS[0].expectedOwner must be a 12-digit AWS account id' },
    ],
    [
      'an 11-digit owner',
      [{ name: 'demo', expectedOwner: '12345678900' }],
      { variable: 'SERVED_BUCKETS[0].expectedOwner', message: 'Invalid configuration: SERVED_BUCKETS[0].expectedOwner must be a 12-digit AWS account id' },
    ],
    [
      'a numeric owner',
      [{ name: 'demo', expectedOwner: 123456789000 }],
      { variable: 'SERVED_BUCKETS[0].expectedOwner', message: 'Invalid configuration: SERVED_BUCKETS[0].expectedOwner must be a 12-digit AWS account id' },
    ],
    [
      'an unknown source',
      [{ name: 'demo', expectedOwner: '123456789000', source: 'magic' }],
      { variable: 'SERVED_BUCKETS[0].source', message: 'Invalid configuration: SERVED_BUCKETS[0].source must be "auto", "store" or "generate"' },
    ],
    [
      'an unknown swarm',
      [{ name: 'demo', expectedOwner: '123456789000', swarm: 'open' }],
      { variable: 'SERVED_BUCKETS[0].swarm', message: 'Invalid configuration: SERVED_BUCKETS[0].swarm must be "private" or "public"' },
    ],
    [
      'a boolean swarm',
      [{ name: 'demo', expectedOwner: '123456789000', swarm: true }],
      { variable: 'SERVED_BUCKETS[0].swarm', message: 'Invalid configuration: SERVED_BUCKETS[0].swarm must be "private" or "public"' },
    ],
    [
      'an unknown seeding',
      [{ name: 'demo', expectedOwner: '123456789000', seeding: 'never' }],
      { variable: 'SERVED_BUCKETS[0].seeding', message: 'Invalid configuration: SERVED_BUCKETS[0].seeding must be "fallback" or "always"' },
    ],
    [
      'a seeding in the wrong case',
      [{ name: 'demo', expectedOwner: '123456789000', seeding: 'Always' }],
      { variable: 'SERVED_BUCKETS[0].seeding', message: 'Invalid configuration: SERVED_BUCKETS[0].seeding must be "fallback" or "always"' },
    ],
    [
      'a string requesterPays',
      [{ name: 'demo', expectedOwner: '123456789000', requesterPays: 'yes' }],
      { variable: 'SERVED_BUCKETS[0].requesterPays', message: 'Invalid configuration: SERVED_BUCKETS[0].requesterPays must be a boolean' },
    ],
    [
      'a numeric prefix',
      [{ name: 'demo', expectedOwner: '123456789000', prefix: 1 }],
      { variable: 'SERVED_BUCKETS[0].prefix', message: 'Invalid configuration: SERVED_BUCKETS[0].prefix must be a string' },
    ],
    [
      'a duplicate bucket',
      [
        { name: 'demo', expectedOwner: '123456789000' },
        { name: 'demo', expectedOwner: '123456789001' },
      ],
      { variable: 'SERVED_BUCKETS[1].name', message: 'Invalid configuration: SERVED_BUCKETS[1].name lists "demo" twice' },
    ],
  ])('fails naming SERVED_BUCKETS when it is %s', (_label, value, expected) => {
    expect(value === undefined ? failure({ LINK_KEYS: KEYS }) : bucketsFailure(value)).toEqual(expected);
  });

  test.each<[string, Record<string, string>, { variable: string; message: string }]>([
    ['SEED_MODE is unknown', { SEED_MODE: 'stream' }, { variable: 'SEED_MODE', message: 'Invalid configuration: SEED_MODE must be "redirect" or "proxy"' }],
    ['SEED_MODE is empty', { SEED_MODE: '' }, { variable: 'SEED_MODE', message: 'Invalid configuration: SEED_MODE must be "redirect" or "proxy"' }],
    [
      'LINK_KEYS and LINK_KEYS_SECRET_ARN are both missing',
      { LINK_KEYS: '' },
      { variable: 'LINK_KEYS', message: 'Invalid configuration: LINK_KEYS or LINK_KEYS_SECRET_ARN is required (the share-link signing keys)' },
    ],
    [
      'PUBLIC_BASE_URL has a query',
      { PUBLIC_BASE_URL: 'https://x.example/prod?a=1' },
      { variable: 'PUBLIC_BASE_URL', message: 'Invalid configuration: PUBLIC_BASE_URL must be an http(s) URL without query or fragment' },
    ],
    [
      'PUBLIC_BASE_URL has a fragment',
      { PUBLIC_BASE_URL: 'https://x.example/prod#top' },
      { variable: 'PUBLIC_BASE_URL', message: 'Invalid configuration: PUBLIC_BASE_URL must be an http(s) URL without query or fragment' },
    ],
    [
      'PUBLIC_BASE_URL is not http(s)',
      { PUBLIC_BASE_URL: 'ftp://x.example' },
      { variable: 'PUBLIC_BASE_URL', message: 'Invalid configuration: PUBLIC_BASE_URL must be an http(s) URL without query or fragment' },
    ],
    [
      'S3_ENDPOINT is not a URL',
      { S3_ENDPOINT: 'minio:9000' },
      { variable: 'S3_ENDPOINT', message: 'Invalid configuration: S3_ENDPOINT must be an http(s) URL' },
    ],
    [
      'DYNAMODB_ENDPOINT is not a URL',
      { DYNAMODB_ENDPOINT: 'localhost:8000' },
      { variable: 'DYNAMODB_ENDPOINT', message: 'Invalid configuration: DYNAMODB_ENDPOINT must be an http(s) URL' },
    ],
    [
      'TRACKER_INTERVAL_SECONDS is fractional',
      { TRACKER_INTERVAL_SECONDS: '60.5' },
      { variable: 'TRACKER_INTERVAL_SECONDS', message: 'Invalid configuration: TRACKER_INTERVAL_SECONDS must be a whole number, got "60.5"' },
    ],
    [
      'TRACKER_MAX_PEERS is 0',
      { TRACKER_MAX_PEERS: '0' },
      { variable: 'TRACKER_MAX_PEERS', message: 'Invalid configuration: TRACKER_MAX_PEERS must be between 1 and 200, got 0' },
    ],
    [
      'SEED_DEFER_SECONDS is negative',
      { SEED_DEFER_SECONDS: '-1' },
      { variable: 'SEED_DEFER_SECONDS', message: 'Invalid configuration: SEED_DEFER_SECONDS must be a whole number, got "-1"' },
    ],
    [
      'SEED_DEFER_MIN_SEEDERS is 0',
      { SEED_DEFER_MIN_SEEDERS: '0' },
      { variable: 'SEED_DEFER_MIN_SEEDERS', message: 'Invalid configuration: SEED_DEFER_MIN_SEEDERS must be between 1 and 1000, got 0' },
    ],
    [
      'TRACKERS has an ftp URL',
      { TRACKERS: 'udp://ok.example:1,ftp://t.example' },
      { variable: 'TRACKERS', message: 'Invalid configuration: TRACKERS has an invalid tracker URL "ftp://t.example"' },
    ],
    [
      'TRACKERS has no host',
      { TRACKERS: 'http://' },
      { variable: 'TRACKERS', message: 'Invalid configuration: TRACKERS has an invalid tracker URL "http://"' },
    ],
    [
      'TRACKERS has a space in a URL',
      { TRACKERS: 'http://a b' },
      { variable: 'TRACKERS', message: 'Invalid configuration: TRACKERS has an invalid tracker URL "http://a b"' },
    ],
    [
      'S3_FORCE_PATH_STYLE is yes',
      { S3_FORCE_PATH_STYLE: 'yes' },
      { variable: 'S3_FORCE_PATH_STYLE', message: 'Invalid configuration: S3_FORCE_PATH_STYLE must be true or false, got "yes"' },
    ],
    [
      'S3_MAX_ATTEMPTS is 0',
      { S3_MAX_ATTEMPTS: '0' },
      { variable: 'S3_MAX_ATTEMPTS', message: 'Invalid configuration: S3_MAX_ATTEMPTS must be between 1 and 10, got 0' },
    ],
    [
      'S3_MAX_ATTEMPTS is 11',
      { S3_MAX_ATTEMPTS: '11' },
      { variable: 'S3_MAX_ATTEMPTS', message: 'Invalid configuration: S3_MAX_ATTEMPTS must be between 1 and 10, got 11' },
    ],
    [
      'READ_CONCURRENCY is negative',
      { READ_CONCURRENCY: '-1' },
      { variable: 'READ_CONCURRENCY', message: 'Invalid configuration: READ_CONCURRENCY must be a whole number, got "-1"' },
    ],
    [
      'READ_PART_BYTES is fractional',
      { READ_PART_BYTES: '65536.5' },
      { variable: 'READ_PART_BYTES', message: 'Invalid configuration: READ_PART_BYTES must be a whole number, got "65536.5"' },
    ],
    [
      'READ_PART_BYTES is below 64 KiB',
      { READ_PART_BYTES: '65535' },
      { variable: 'READ_PART_BYTES', message: 'Invalid configuration: READ_PART_BYTES must be between 65536 and 536870912, got 65535' },
    ],
    [
      'PRESIGN_TTL_SECONDS is in exponent form',
      { PRESIGN_TTL_SECONDS: '1e3' },
      { variable: 'PRESIGN_TTL_SECONDS', message: 'Invalid configuration: PRESIGN_TTL_SECONDS must be a whole number, got "1e3"' },
    ],
    [
      'MAX_GENERATE_BYTES is above 5 TiB',
      { MAX_GENERATE_BYTES: String(5 * 1024 ** 4 + 1) },
      { variable: 'MAX_GENERATE_BYTES', message: `Invalid configuration: MAX_GENERATE_BYTES must be between 1 and ${5 * 1024 ** 4}, got ${5 * 1024 ** 4 + 1}` },
    ],
    [
      'the default link lifetime exceeds the maximum',
      { LINK_DEFAULT_TTL_SECONDS: '86401', LINK_MAX_TTL_SECONDS: '86400' },
      { variable: 'LINK_DEFAULT_TTL_SECONDS', message: 'Invalid configuration: LINK_DEFAULT_TTL_SECONDS must not exceed LINK_MAX_TTL_SECONDS (86400)' },
    ],
  ])('fails naming the variable when %s', (_label, env, expected) => {
    expect(failure({ ...minimal, ...env })).toEqual(expected);
  });

  test('shortens the default link lifetime to the maximum when the maximum is under 7 days', () => {
    const { links } = loadConfig({ ...minimal, LINK_MAX_TTL_SECONDS: '3600' });

    expect(links).toEqual({ keysJson: KEYS, keysSecretArn: undefined, defaultTtlSeconds: 3600, maxTtlSeconds: 3600 });
  });

  test('accepts an int at the edges of its range', () => {
    const config = loadConfig({ ...minimal, S3_MAX_ATTEMPTS: '1', READ_CONCURRENCY: '64', READ_PART_BYTES: String(64 * 1024) });

    expect({ maxAttempts: config.s3.maxAttempts, readConcurrency: config.readConcurrency, readPartBytes: config.readPartBytes }).toEqual({
      maxAttempts: 1,
      readConcurrency: 64,
      readPartBytes: 65_536,
    });
  });
});

describe('bucket names in SERVED_BUCKETS follow the same rules as request paths', () => {
  test.each([
    ['my..bucket', 'must not contain two adjacent dots'],
    ['192.168.1.1', 'must not look like an IP address'],
    ['bucket-s3alias', 'uses a reserved suffix'],
  ])('refuses "%s", which every request would answer with 400', (name, why) => {
    expect(bucketsFailure([{ name, expectedOwner: '123456789000' }])).toEqual({
      variable: 'SERVED_BUCKETS[0].name',
      message: `Invalid configuration: SERVED_BUCKETS[0].name is not a valid S3 bucket name: it ${why}`,
    });
  });
});

describe('link keys by function role', () => {
  const noKeys = { SERVED_BUCKETS: BUCKETS };
  const missingKeys = { variable: 'LINK_KEYS', message: 'Invalid configuration: LINK_KEYS or LINK_KEYS_SECRET_ARN is required (the share-link signing keys)' };

  test.each(['torrent', 'seed', 'mint', 'tracker', '', undefined])('requires link keys when FUNCTION_ROLE is %p (it signs or verifies links)', (role) => {
    expect(failure({ ...noKeys, FUNCTION_ROLE: role, PEER_TABLE: 'peers' })).toEqual(missingKeys);
  });

  test('names the missing link keys before a missing peer table', () => {
    expect(failure({ ...noKeys, FUNCTION_ROLE: 'tracker' })).toEqual(missingKeys);
  });

  test('lets the generate function, which neither signs nor verifies links, run without link keys', () => {
    const { links } = loadConfig({ ...noKeys, FUNCTION_ROLE: 'generate' });

    expect(links).toEqual({ keysJson: undefined, keysSecretArn: undefined, defaultTtlSeconds: 7 * 86_400, maxTtlSeconds: 30 * 86_400 });
  });

  test('still reads link keys given to the generate function', () => {
    expect(loadConfig({ ...minimal, FUNCTION_ROLE: 'generate' }).links.keysJson).toBe(KEYS);
  });

  test('fails naming FUNCTION_ROLE when it is unknown', () => {
    expect(failure({ ...minimal, FUNCTION_ROLE: 'worker' })).toEqual({
      variable: 'FUNCTION_ROLE',
      message: 'Invalid configuration: FUNCTION_ROLE must be "torrent", "seed", "mint", "generate" or "tracker"',
    });
  });
});

describe('the peer table by function role', () => {
  const missingTable = (role: string) => ({
    variable: 'PEER_TABLE',
    message: `Invalid configuration: PEER_TABLE is required when FUNCTION_ROLE is "${role}" (the DynamoDB table of the swarm's peers)`,
  });

  test.each(['tracker', 'seed'])('requires PEER_TABLE when FUNCTION_ROLE is %s (it uses the peer store)', (role) => {
    expect(failure({ ...minimal, FUNCTION_ROLE: role })).toEqual(missingTable(role));
  });

  test('counts an empty PEER_TABLE as missing', () => {
    expect(failure({ ...minimal, FUNCTION_ROLE: 'tracker', PEER_TABLE: '' })).toEqual(missingTable('tracker'));
  });

  test.each(['torrent', 'mint', 'generate', '', undefined])('runs without PEER_TABLE when FUNCTION_ROLE is %p', (role) => {
    expect(loadConfig({ ...minimal, FUNCTION_ROLE: role }).swarm.peerTable).toBeUndefined();
  });

  test.each(['tracker', 'seed', undefined])('reads PEER_TABLE when FUNCTION_ROLE is %p', (role) => {
    expect(loadConfig({ ...minimal, FUNCTION_ROLE: role, PEER_TABLE: 'peers' }).swarm).toEqual({
      peerTable: 'peers',
      dynamoEndpoint: undefined,
      intervalSeconds: 60,
      maxPeers: 50,
      deferSeconds: 30,
      minSeeders: 1,
    });
  });

  test('takes DYNAMODB_ENDPOINT as given, for the embedded server', () => {
    expect(loadConfig({ ...minimal, PEER_TABLE: 'peers', DYNAMODB_ENDPOINT: 'https://dynamo.local:8443/' }).swarm.dynamoEndpoint).toBe(
      'https://dynamo.local:8443/',
    );
  });
});
