/**
 * The tracker route against the embedded DynamoDB-compatible server, with
 * API Gateway events built by hand: what real clients get (compact IPv4 and
 * IPv6 peers, dictionaries, scrapes), every refusal as HTTP 200 with a
 * bencoded `failure reason`, and thousands of generated requests (binary
 * garbage in every parameter, mutated tokens, odd methods and addresses)
 * that never give a 5xx, an undecodable body or a peer its own address.
 *
 * Reproduce a failure with the seed fast-check prints (FUZZ_SEED overrides).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import fc from 'fast-check';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../infra/local/embeddedDynamo';
import { parseKeyRing, type KeyRing } from '../../lambda/links/keyRing';
import { trackerToken } from '../../lambda/links/trackerToken';
import { bdecode, type BDecoded, type BDict } from '../../lambda/metainfo/bencode';
import { createLogger } from '../../lambda/observability/logger';
import { trackerRoute, type TrackerRouteDeps, type TrackerResponse } from '../../lambda/routes/tracker';
import { DynamoPeerStore } from '../../lambda/swarm/dynamoPeerStore';
import type { PeerStore } from '../../lambda/swarm/peerStore';
import { captureLogs } from '../helpers/captureLogs';

const SEED = Number(process.env.FUZZ_SEED ?? 0x7eac);
const TABLE = 'tracker-fuzz';
const NOW = 1_800_000_000_000;
const EXP = NOW / 1000 + 3600;
const SECRET = 'tracker-fuzz-secret-0123456789abcdef';
const RING: KeyRing = parseKeyRing(JSON.stringify({ active: 'k1', k1: SECRET }));
const INTERVAL = 120;
const MAX_PEERS = 40;

const INVALID = 'This tracker URL is not valid. Fetch the torrent again with your share link.';
const EXPIRED = 'The share link of this torrent has expired. Ask the owner for a new link.';
const UNAVAILABLE = 'The tracker is unavailable right now; try again later.';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let peers: DynamoPeerStore;
const logger = createLogger();
const announces: Array<[number, boolean]> = [];

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ table: TABLE });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  peers = new DynamoPeerStore({ client, table: TABLE });
  tracker = route();
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

const route = (over: Partial<TrackerRouteDeps> = {}) =>
  trackerRoute({
    peers,
    keyRing: async () => RING,
    logger,
    metrics: { announce: (ms, ok) => announces.push([ms, ok]) },
    intervalSeconds: INTERVAL,
    maxPeers: MAX_PEERS,
    now: () => NOW,
    ...over,
  });
let tracker: ReturnType<typeof trackerRoute>;

let swarmNo = 0;
/** A fresh swarm per test, so tests share the server but not their data. */
const newSwarm = () => (++swarmNo).toString(16).padStart(40, 'b');

interface Req {
  path: string;
  params?: Record<string, string | string[]>;
  ip?: string;
  method?: string;
}

/** The REST API proxy event API Gateway sends: path raw, query decoded, each repeated value in the multi-value map. */
const event = ({ path, params = {}, ip = '203.0.113.7', method = 'GET' }: Req): APIGatewayProxyEvent => {
  const multi = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const single = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]]));
  const hasQuery = Object.keys(multi).length > 0;
  return {
    resource: '/announce/{token}',
    path,
    httpMethod: method,
    headers: { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'User-Agent': 'qBittorrent/4.6.5' },
    multiValueHeaders: { Host: ['abc123.execute-api.eu-west-1.amazonaws.com'], 'User-Agent': ['qBittorrent/4.6.5'] },
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      httpMethod: method,
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: NOW,
      resourceId: 'r35xyz',
      resourcePath: '/announce/{token}',
      stage: 'prod',
      identity: { sourceIp: ip, userAgent: 'qBittorrent/4.6.5' } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  };
};

const context = (): Context =>
  ({ awsRequestId: '0d3f4c8e-1111-2222-3333-444455556666', functionName: 'tracker', getRemainingTimeInMillis: () => 30_000 }) as unknown as Context;

const call = async (r: Req, handler: ReturnType<typeof trackerRoute> = tracker): Promise<{ res: TrackerResponse; body: BDict }> => {
  const res = await handler(event(r), context());
  const { value } = bdecode(Buffer.from(res.body, 'base64'));
  return { res, body: value as BDict };
};

/** The real store, with some of its methods replaced. */
const storeWith = (over: Partial<PeerStore>): PeerStore => ({
  announce: (input) => peers.announce(input),
  scrape: (h, now, ttl) => peers.scrape(h, now, ttl),
  view: (h, now, ttl) => peers.view(h, now, ttl),
  markDeferred: (h, ip, now, ttl) => peers.markDeferred(h, ip, now, ttl),
  addSeedBytes: (h, bytes) => peers.addSeedBytes(h, bytes),
  ...over,
});

const announcePath = (infoHash: string, token = trackerToken(RING, infoHash, EXP)) => `/announce/${token}`;
const client1 = { peer_id: '-qB4650-abcdefghijkl', port: '6881', uploaded: '0', downloaded: '0', left: '1000' };
const text = (v: BDecoded | undefined) => (Buffer.isBuffer(v) ? v.toString('utf8') : v);
const failureOf = (body: BDict) => ({ reason: text(body['failure reason']), retryIn: text(body['retry in']) });

const HEADERS = { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

describe('tracker route', () => {
  test('answers the first peer with an empty swarm and the second with the first, compact (BEP 23)', async () => {
    // Arrange
    const h = newSwarm();
    await call({ path: announcePath(h), params: { ...client1, event: 'started', left: '0' }, ip: '198.51.100.1' });

    // Act
    const { res } = await call({ path: announcePath(h), params: { ...client1, event: 'started', port: '51413' }, ip: '198.51.100.2' });

    // Assert
    expect({ ...res, body: Buffer.from(res.body, 'base64').toString('latin1') }).toEqual({
      statusCode: 200,
      headers: HEADERS,
      isBase64Encoded: true,
      body: 'd8:completei1e10:downloadedi0e10:incompletei1e8:intervali120e12:min intervali60e5:peers6:\xc6\x33\x64\x01\x1a\xe1e',
    });
  });

  test('hands IPv6 peers over in peers6 (BEP 7), and IPv4 ones to an IPv6 peer', async () => {
    // Arrange
    const h = newSwarm();
    await call({ path: announcePath(h), params: client1, ip: '2001:db8::1' });
    await call({ path: announcePath(h), params: client1, ip: '198.51.100.1' });

    // Act
    const { body } = await call({ path: announcePath(h), params: { ...client1, port: '7000' }, ip: '2001:DB8:0:0:0:0:0:1' });

    // Assert
    expect(body.peers).toEqual(Buffer.from('c63364011ae1', 'hex'));
    expect(body.peers6).toEqual(Buffer.from('20010db80000000000000000000000011ae1', 'hex'));
  });

  test('lists peers as dictionaries with compact=0', async () => {
    const h = newSwarm();
    await call({ path: announcePath(h), params: client1, ip: '198.51.100.1' });

    const { body } = await call({ path: announcePath(h), params: { ...client1, compact: '0' }, ip: '198.51.100.2' });

    expect(body.peers).toEqual([{ ip: Buffer.from('198.51.100.1'), port: 6881, 'peer id': Buffer.from(client1.peer_id) }]);
  });

  test('gives at most the configured number of peers, whatever numwant asks', async () => {
    // Arrange
    const h = newSwarm();
    await Promise.all(Array.from({ length: MAX_PEERS + 5 }, (_, i) => call({ path: announcePath(h), params: client1, ip: `10.1.${i >> 8}.${i & 255}` })));

    // Act
    const { body } = await call({ path: announcePath(h), params: { ...client1, numwant: '1'.repeat(300) }, ip: '10.9.9.9' });

    // Assert
    expect((body.peers as Buffer).length).toBe(MAX_PEERS * 6);
    expect(body.incomplete).toBe(MAX_PEERS + 6);
  });

  test('removes a stopped peer from the swarm', async () => {
    const h = newSwarm();
    await call({ path: announcePath(h), params: client1, ip: '198.51.100.1' });
    await call({ path: announcePath(h), params: { ...client1, event: 'stopped' }, ip: '198.51.100.1' });

    const { body } = await call({ path: announcePath(h), params: client1, ip: '198.51.100.2' });

    expect([body.peers, body.incomplete]).toEqual([Buffer.alloc(0), 1]);
  });

  test('scrapes the swarm of the token (BEP 48), keyed by the raw info-hash', async () => {
    // Arrange
    const h = newSwarm();
    await call({ path: announcePath(h), params: { ...client1, event: 'completed', left: '0' }, ip: '198.51.100.1' });
    await call({ path: announcePath(h), params: client1, ip: '198.51.100.2' });

    // Act
    const { res } = await call({ path: `/scrape/${trackerToken(RING, h, EXP)}`, params: { info_hash: [h, Buffer.from(h, 'hex').toString('latin1')] } });

    // Assert
    const key = Buffer.from(h, 'hex').toString('latin1');
    expect(Buffer.from(res.body, 'base64').toString('latin1')).toBe(`d5:filesd20:${key}d8:completei1e10:downloadedi1e10:incompletei1eeee`);
  });

  test('accepts the query info_hash of the token raw or as hex, and refuses another', async () => {
    const h = newSwarm();
    const path = announcePath(h);

    const results = await Promise.all(
      [Buffer.from(h, 'hex').toString('latin1'), h.toUpperCase(), 'f'.repeat(40), Buffer.alloc(20, 1).toString('latin1'), '\ufffd'.repeat(20)].map(
        async (info_hash) => {
          const { body } = await call({ path, params: { ...client1, info_hash } });
          return text(body['failure reason']) ?? 'ok';
        },
      ),
    );

    expect(results).toEqual(['ok', 'ok', 'info_hash does not match this tracker URL.', 'info_hash does not match this tracker URL.', 'ok']);
  });

  test('refuses a scrape that names another swarm', async () => {
    const h = newSwarm();

    const { body } = await call({ path: `/scrape/${trackerToken(RING, h, EXP)}`, params: { info_hash: [h, 'e'.repeat(40)] } });

    expect(failureOf(body)).toEqual({ reason: 'info_hash does not match this tracker URL.', retryIn: undefined });
  });

  test.each([
    ['no token', '/announce/', 'Not a tracker URL: use /announce/<token> or /scrape/<token>.'],
    ['another verb', `/stats/${trackerToken(RING, 'a'.repeat(40), EXP)}`, 'Not a tracker URL: use /announce/<token> or /scrape/<token>.'],
    ['a garbage token', '/announce/%00%ff', INVALID],
    [
      'a token of another key',
      announcePath('a'.repeat(40), trackerToken(parseKeyRing(JSON.stringify({ active: 'k1', k1: 'x'.repeat(32) })), 'a'.repeat(40), EXP)),
      INVALID,
    ],
    ['a token for another swarm', announcePath('a'.repeat(40), trackerToken(RING, 'a'.repeat(40), EXP).replace(/a{40}$/, 'b'.repeat(40))), INVALID],
    ['a token with a longer expiry', announcePath('a'.repeat(40), trackerToken(RING, 'a'.repeat(40), EXP).replace(`.${EXP}.`, `.${EXP + 1}.`)), INVALID],
    ['an expired token', announcePath('a'.repeat(40), trackerToken(RING, 'a'.repeat(40), NOW / 1000)), EXPIRED],
  ])('refuses %s for good (retry in: never), with HTTP 200', async (_label, path, reason) => {
    const { res, body } = await call({ path, params: client1 });

    expect([res.statusCode, res.headers, res.isBase64Encoded]).toEqual([200, HEADERS, true]);
    expect(failureOf(body)).toEqual({ reason, retryIn: 'never' });
    expect(Object.keys(body).sort()).toEqual(['failure reason', 'retry in']);
  });

  test.each([
    ['port 0', { ...client1, port: '0' }, '"port" must be a number from 1 to 65535.'],
    ['port 65536', { ...client1, port: '65536' }, '"port" must be a number from 1 to 65535.'],
    ['a repeated port', { ...client1, port: ['6881', '6882'] }, '"port" is given more than once.'],
    ['a repeated peer_id', { ...client1, peer_id: ['a', 'a'] }, '"peer_id" is given more than once.'],
    ['no peer_id', { port: '6881', left: '0' }, '"peer_id" is required.'],
    ['no left', { peer_id: 'x', port: '6881' }, '"left" is required.'],
    ['a negative left', { ...client1, left: '-5' }, '"left" must be a non-negative integer.'],
    ['an unknown event', { ...client1, event: 'finished' }, '"event" must be started, completed, stopped or empty.'],
  ])('refuses an announce with %s', async (_label, params, reason) => {
    const { res, body } = await call({ path: announcePath(newSwarm()), params });

    expect(res.statusCode).toBe(200);
    expect(failureOf(body)).toEqual({ reason, retryIn: undefined });
  });

  test('refuses other methods with a bencoded failure, and answers HEAD without a body', async () => {
    const h = newSwarm();

    const post = await call({ path: announcePath(h), params: client1, method: 'POST' });
    const head = await tracker(event({ path: announcePath(h), params: client1, method: 'HEAD' }), context());

    expect([post.res.statusCode, failureOf(post.body).reason]).toEqual([200, 'Use GET.']);
    expect(head).toEqual({ statusCode: 200, headers: HEADERS, body: '', isBase64Encoded: true });
  });

  test('answers a failing store with a generic failure, and logs it', async () => {
    // Arrange
    const broken = storeWith({ announce: async () => Promise.reject(new Error('ProvisionedThroughputExceeded at table peers')) });
    const logs = captureLogs(logger, 'INFO');

    // Act
    let out: Awaited<ReturnType<typeof call>>;
    try {
      out = await call({ path: announcePath(newSwarm()), params: client1 }, route({ peers: broken }));
    } finally {
      logs.restore();
    }

    // Assert
    expect(failureOf(out.body)).toEqual({ reason: UNAVAILABLE, retryIn: undefined });
    const lines = logs.lines.map((l) => JSON.parse(l));
    expect(lines.find((l) => l.message === 'tracker request failed')?.error?.message).toBe('ProvisionedThroughputExceeded at table peers');
    expect(lines.find((l) => l.message === 'request')).toMatchObject({ action: 'announce', ok: false, failure: UNAVAILABLE, route: 'tracker' });
  });

  test('answers a key ring that cannot be read with a generic failure', async () => {
    const { body } = await call(
      { path: announcePath(newSwarm()), params: client1 },
      route({ keyRing: () => Promise.reject(new Error('Secrets Manager timeout')) }),
    );

    expect(failureOf(body)).toEqual({ reason: UNAVAILABLE, retryIn: undefined });
  });

  test('answers with a failure where the proxy has no peer store', async () => {
    const { body } = await call({ path: announcePath(newSwarm()), params: client1 }, route({ peers: undefined }));

    expect(failureOf(body)).toEqual({ reason: 'This proxy runs no tracker.', retryIn: 'never' });
  });

  test('never hands a peer its own address and port, even from a store that returns it', async () => {
    // Arrange
    const self = { ip: '203.0.113.7', port: 6881, peerId: 'x', left: 0, updatedAt: NOW };
    const other = { ...self, port: 6882 };
    const leaky = storeWith({ announce: async () => ({ complete: 2, incomplete: 0, downloaded: 0, seedBytes: 0, peers: [self, other] }) });

    // Act
    const { body } = await call({ path: announcePath(newSwarm()), params: client1, ip: '203.0.113.7' }, route({ peers: leaky }));

    // Assert
    expect(body.peers).toEqual(Buffer.from('cb0071071ae2', 'hex'));
  });

  test('counts announces in the metric, failed ones as not ok', async () => {
    announces.length = 0;
    const h = newSwarm();

    await call({ path: announcePath(h), params: client1 });
    await call({ path: announcePath(h), params: { ...client1, port: '0' } });
    await call({ path: `/scrape/${trackerToken(RING, h, EXP)}` });

    expect(announces.map(([, ok]) => ok)).toEqual([true, false]);
  });

  test('never writes the token signature to the log', async () => {
    // Arrange
    const h = newSwarm();
    const token = trackerToken(RING, h, EXP);
    const logs = captureLogs(logger, 'DEBUG');

    // Act
    try {
      await call({ path: announcePath(h, token), params: client1 });
      await call({ path: announcePath(h, token), params: { ...client1, port: 'x' } });
    } finally {
      logs.restore();
    }

    // Assert
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.join('\n')).not.toContain(token.split('.')[2]);
  });

  test('answers every generated request with HTTP 200 and a bencoded answer or failure, never a peer its own address', async () => {
    // Arrange: a few swarms with peers in them, so valid requests get peers back.
    const swarms = [newSwarm(), newSwarm()];
    for (const h of swarms)
      for (let i = 1; i <= 3; i++) await call({ path: announcePath(h), params: { ...client1, port: String(6880 + i) }, ip: `10.2.0.${i}` });
    const binary = fc.string({ unit: 'binary', maxLength: 80 });
    const value = fc.oneof(binary, fc.stringMatching(/^\d{0,22}$/), fc.constantFrom('0', '1', '6881', 'started', 'completed', 'stopped', 'paused', ''));
    const values = fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }) });
    const name = fc.oneof(
      fc.constantFrom('peer_id', 'port', 'left', 'uploaded', 'downloaded', 'event', 'compact', 'numwant', 'no_peer_id', 'info_hash', 'ip', 'key'),
      binary,
    );
    const params = fc.oneof(
      { weight: 1, arbitrary: fc.dictionary(name, values, { maxKeys: 12 }) },
      { weight: 1, arbitrary: fc.constant(client1) },
      {
        weight: 2,
        arbitrary: fc
          .record({ peer_id: value, port: fc.oneof(value, fc.integer({ min: -1, max: 70000 }).map(String)), left: value })
          .map((p) => ({ ...client1, ...p })),
      },
    );
    const token = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...swarms).map((h) => trackerToken(RING, h, EXP)) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom(...swarms), fc.nat(), fc.nat({ max: 6 })).map(([h, at, bit]) => {
          const t = trackerToken(RING, h, EXP);
          const i = at % t.length;
          return t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << bit)) + t.slice(i + 1);
        }),
      },
      { weight: 1, arbitrary: binary.map((s) => encodeURIComponent(s)) },
    );
    const path = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(token, fc.constantFrom('announce', 'scrape')).map(([t, verb]) => `/${verb}/${t}`) },
      { weight: 1, arbitrary: binary.map((s) => `/tracker/${s}`) },
    );
    const ip = fc.oneof(
      { weight: 4, arbitrary: fc.ipV4() },
      { weight: 2, arbitrary: fc.ipV6() },
      { weight: 1, arbitrary: fc.constantFrom('::ffff:10.2.0.1', '10.2.0.1', '10.2.0.2', '') },
      { weight: 1, arbitrary: binary },
    );
    const method = fc.oneof(
      { weight: 12, arbitrary: fc.constant('GET') },
      { weight: 1, arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'get') },
    );
    let valid = 0;

    // Act + Assert
    await fc.assert(
      fc.asyncProperty(fc.record({ path, params, ip, method }), async (r) => {
        const res = await tracker(event(r), context());
        expect([res.statusCode, res.headers, res.isBase64Encoded]).toEqual([200, HEADERS, true]);
        if (r.method === 'HEAD') return expect(res.body).toBe('');
        const { value: body } = bdecode(Buffer.from(res.body, 'base64'));
        const dict = body as BDict;
        if (dict['failure reason'] !== undefined) {
          expect(Buffer.isBuffer(dict['failure reason'])).toBe(true);
          expect(text(dict['failure reason'])).not.toMatch(/\n\s+at |Error|Exception/);
          return;
        }
        valid++;
        if (dict.files) return;
        expect(typeof dict.interval).toBe('number');
        const compact = Buffer.isBuffer(dict.peers) ? (dict.peers as Buffer) : undefined;
        const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(r.ip)?.[1];
        if (compact && v4) {
          const self = `${v4}:${Number((r.params as Record<string, string>).port)}`;
          for (let i = 0; i < compact.length; i += 6) expect(`${compact.subarray(i, i + 4).join('.')}:${compact.readUInt16BE(i + 4)}`).not.toBe(self);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
    expect(valid).toBeGreaterThan(100);
  });
});
