/**
 * GetObjectTorrent forwarding and its fallbacks, through the real SDK against
 * a stub S3 endpoint (test/helpers/stubS3.ts): s3rver cannot serve torrents,
 * charge requesters, check bucket owners or throttle, so these shapes come
 * from the stub. Every test name says "stub S3".
 */
import { randomBytes } from 'node:crypto';
import { buildInfo, buildMetainfo } from '../../lambda/metainfo/buildMetainfo';
import { infoHash } from '../../lambda/metainfo/infoHash';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { errorReply, startStubS3, type StubS3 } from '../helpers/stubS3';

const OWNER = '111122223333';
const bytes = randomBytes(50_000);
const storeTorrent = buildMetainfo({
  info: buildInfo({ name: 'from-store.bin', length: bytes.length, pieceLength: 16384, pieces: expectedPieces(bytes, 16384) }),
  webSeeds: [],
  trackers: ['http://tracker.example/announce'],
  creationDate: 1_600_000_000,
});

let stub: StubS3;
let rt: TestRuntime;

beforeAll(async () => {
  // The stub checks no signature, but the SDK needs credentials to sign with.
  process.env.AWS_ACCESS_KEY_ID = 'STUBKEY';
  process.env.AWS_SECRET_ACCESS_KEY = 'STUBSECRET';
  stub = await startStubS3({
    'serves-torrents': { owner: OWNER, requesterPays: true, torrent: () => ({ status: 200, body: storeTorrent }), objects: { 'from-store.bin': bytes } },
    'wrong-owner': { owner: '999999999999', torrent: () => ({ status: 200, body: storeTorrent }), objects: { 'x.bin': bytes } },
    'ozone-like': { owner: OWNER, torrent: () => ({ status: 200, body: bytes }), objects: { 'raw.bin': bytes } },
    'ceph-no-flag': { owner: OWNER, torrent: () => errorReply(404, 'NoSuchKey'), objects: { 'obj.bin': bytes } },
    'minio-like': { owner: OWNER, objects: { 'obj.bin': bytes } },
    'aws-5gb': { owner: OWNER, torrent: () => errorReply(400, 'InvalidRequest'), objects: { 'big.bin': bytes } },
    'store-only': { owner: OWNER, objects: { 'obj.bin': bytes } },
    throttled: { always: { ...errorReply(503, 'SlowDown') } },
    broken: {
      owner: OWNER,
      torrent: () => ({
        status: 500,
        headers: { 'Content-Type': 'application/xml' },
        body: '<Error><Code>InternalError</Code><Message>secret internal detail</Message></Error>',
      }),
    },
  });
  rt = await startTestRuntime({
    s3Endpoint: stub.endpoint,
    env: {
      SERVED_BUCKETS: bucketsEnv(
        ['serves-torrents', 'wrong-owner', 'ozone-like', 'ceph-no-flag', 'minio-like', 'aws-5gb', 'throttled', 'broken']
          .map((name) => ({
            name,
            expectedOwner: OWNER,
            requesterPays: name === 'serves-torrents',
            // Public swarms: a private one never forwards a store's torrent (it cannot carry BEP 27's flag).
            swarm: 'public' as const,
          }))
          .concat([{ name: 'store-only', expectedOwner: OWNER, requesterPays: false, source: 'store', swarm: 'public' } as never]),
      ),
      S3_MAX_ATTEMPTS: '1',
    },
  });
});

afterAll(async () => {
  await rt?.stop();
  await stub?.close();
});

beforeEach(() => {
  stub.requests.length = 0;
});

const fetchTorrent = async (bucket: string, key: string) => {
  const res = await fetch(rt.link(bucket, key).url);
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body };
};

test('stub S3 serving torrents: forwards the info dictionary byte for byte (same info-hash) with our web seed and its tracker, x-amz-request-charged, ExpectedBucketOwner and RequestPayer on every call', async () => {
  const { res, body } = await fetchTorrent('serves-torrents', 'from-store.bin');
  expect(res.status).toBe(200);
  const ours = decodeTorrent(body);
  const theirs = decodeTorrent(storeTorrent);
  expect({
    sameInfoHash: infoHash(body) === infoHash(storeTorrent),
    name: String(ours.info.name) === String(theirs.info.name),
    // Our tracker first (this link's swarm token), then the store's own.
    announce: String(ours.top.announce).includes('/announce/local1.'),
    announceList: (ours.top['announce-list'] as Buffer[][]).map((tier) => tier.map(String)).slice(1),
    seeds: (ours.top['url-list'] as Buffer[]).map(String).map((u) => /\/seed\/[^/]+\/serves-torrents\/from-store\.bin$/.test(u)),
  }).toEqual({ sameInfoHash: true, name: true, announce: true, announceList: [['http://tracker.example/announce']], seeds: [true] });
  expect({
    type: res.headers.get('content-type'),
    charged: res.headers.get('x-amz-request-charged'),
    source: res.headers.get('x-torrent-source'),
    hash: res.headers.get('x-torrent-info-hash'),
  }).toEqual({ type: 'application/x-bittorrent', charged: 'requester', source: 'store', hash: infoHash(storeTorrent) });
  const calls = stub.requests.map((r) => ({
    m: r.method,
    q: r.query,
    owner: r.headers['x-amz-expected-bucket-owner'],
    payer: r.headers['x-amz-request-payer'],
  }));
  // GetObjectTorrent, HeadObject, then ranged reads of the pieces that are checked: all with owner and payer.
  expect({
    kinds: [...new Set(calls.map((c) => `${c.m} ${c.q.split('=')[0]}`))].sort(),
    allCarryOwnerAndPayer: calls.every((c) => c.owner === OWNER && c.payer === 'requester'),
  }).toEqual({ kinds: ['GET ?torrent', 'GET ?x-id', 'HEAD '], allCarryOwnerAndPayer: true });
});

test('stub S3 rejecting a wrong x-amz-expected-bucket-owner: answers 403 AccessDenied and never serves the torrent', async () => {
  const { res, body } = await fetchTorrent('wrong-owner', 'x.bin');
  expect({ status: res.status, body: JSON.parse(body.toString()) }).toEqual({ status: 403, body: { code: 'AccessDenied', message: expect.any(String) } });
  expect(stub.requests.every((r) => r.headers['x-amz-expected-bucket-owner'] === OWNER)).toBe(true);
});

test.each([
  ['ozone-like (200 with the raw object bytes)', 'ozone-like', 'raw.bin'],
  ['ceph without rgw_torrent_flag (404 while HeadObject succeeds)', 'ceph-no-flag', 'obj.bin'],
  ['minio-like (501 NotImplemented)', 'minio-like', 'obj.bin'],
  ['AWS for objects >= 5 GB (400 InvalidRequest)', 'aws-5gb', 'big.bin'],
])('stub S3 %s: builds the torrent itself from verified bytes', async (_name, bucket, key) => {
  const { res, body } = await fetchTorrent(bucket, key);
  expect(res.status).toBe(200);
  expect(res.headers.get('x-torrent-source')).toBe('generated');
  const { info } = decodeTorrent(body);
  expect((info.pieces as Buffer).equals(expectedPieces(bytes, 16384))).toBe(true);
  // Every call carried the owner check.
  expect(stub.requests.map((r) => r.headers['x-amz-expected-bucket-owner'])).toEqual(stub.requests.map(() => OWNER));
  // HeadObject and ranged GetObject pinned with If-Match to the measured ETag.
  expect(stub.requests.filter((r) => r.method === 'GET' && !r.query.includes('torrent')).every((r) => r.headers['if-match'] === `"${bytes.length}-stub"`)).toBe(
    true,
  );
});

test('stub S3 answering NotImplemented: the bucket is remembered as having no torrent support, and not asked again', async () => {
  stub.buckets['minio-like'].objects!['second.bin'] = bytes.subarray(0, 1000);
  await fetchTorrent('minio-like', 'obj.bin');
  stub.requests.length = 0;
  const { res } = await fetchTorrent('minio-like', 'second.bin');
  expect(res.status).toBe(200);
  expect(stub.requests.filter((r) => r.query.includes('torrent'))).toEqual([]);
});

test('stub S3 with source=store and no torrent support: answers 502 TorrentUnavailable, builds nothing', async () => {
  const { res, body } = await fetchTorrent('store-only', 'obj.bin');
  expect({ status: res.status, body: JSON.parse(body.toString()) }).toEqual({ status: 502, body: { code: 'TorrentUnavailable', message: expect.any(String) } });
  expect(stub.requests.map((r) => r.method).sort()).toEqual(['GET', 'HEAD']);
});

test('stub S3 serving a torrent for a different size than the object: not passed on; built from the object instead', async () => {
  stub.buckets['serves-torrents'].objects!['resized.bin'] = bytes.subarray(0, 40_000);
  const { res, body } = await fetchTorrent('serves-torrents', 'resized.bin');
  expect({ status: res.status, source: res.headers.get('x-torrent-source') }).toEqual({ status: 200, source: 'generated' });
  expect(decodeTorrent(body).info.length).toBe(40_000);
  expect((decodeTorrent(body).info.pieces as Buffer).equals(expectedPieces(bytes.subarray(0, 40_000), 16384))).toBe(true);
});

test('stub S3 throttling (503 SlowDown): answers 503 with Retry-After', async () => {
  const { res, body } = await fetchTorrent('throttled', 'any.bin');
  expect({ status: res.status, retry: res.headers.get('retry-after'), body: JSON.parse(body.toString()) }).toEqual({
    status: 503,
    retry: '2',
    body: { code: 'SlowDown', message: 'The storage service is busy; retry later.' },
  });
});

test('stub S3 failing with 500: answers 502 with a generic body that leaks nothing upstream said', async () => {
  const { res, body } = await fetchTorrent('broken', 'any.bin');
  expect({ status: res.status, body: JSON.parse(body.toString()) }).toEqual({
    status: 502,
    body: { code: 'UpstreamError', message: 'The storage service returned an unexpected answer.' },
  });
  expect(body.toString()).not.toContain('secret internal detail');
});

test('stub S3: a missing object (404 on ?torrent and on HeadObject) is 404 NoSuchKey', async () => {
  const { res, body } = await fetchTorrent('minio-like', 'missing.bin');
  expect({ status: res.status, body: JSON.parse(body.toString()) }).toEqual({
    status: 404,
    body: { code: 'NoSuchKey', message: 'The object does not exist.' },
  });
});

test('stub S3: requests without a valid link make no S3 call at all', async () => {
  const urls = [
    `${rt.baseUrl}/torrent/serves-torrents/from-store.bin`,
    rt.link('serves-torrents', 'from-store.bin').url.replace(/sig=[^&]+/, 'sig=' + 'A'.repeat(43)),
    rt.link('serves-torrents', 'other.bin').url.replace('other.bin', 'from-store.bin'),
    `${rt.baseUrl}/seed/k1.9999999999.${'A'.repeat(43)}/serves-torrents/from-store.bin`,
    `${rt.baseUrl}/seed/garbage/serves-torrents/from-store.bin`,
  ];
  const statuses = [];
  for (const u of urls) {
    const res = await fetch(u);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  expect(statuses).toEqual([401, 403, 403, 403, 403]);
  expect(stub.requests).toEqual([]);
});
