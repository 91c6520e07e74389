/**
 * GET /torrent over real HTTP: the local runtime (the Lambda handlers behind
 * an API Gateway event adapter) against the embedded s3rver, through the real
 * SDK. s3rver answers GetObjectTorrent with 501, so these torrents are built
 * by the proxy and checked against independent SHA-1 and mktorrent.
 */
import { randomBytes } from 'node:crypto';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import { infoHash } from '../../lambda/metainfo/infoHash';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { decodeTorrent, expectedPieces, independentInfoHashes, rawRequest } from '../helpers/torrentTools';

let rt: TestRuntime;

const PL = 16 * 1024; // piece length for objects up to 32 MiB
const objects: Array<{ key: string; bytes: Buffer }> = [
  { key: 'one-byte.bin', bytes: randomBytes(1) },
  { key: 'sizes/piece-minus-one.bin', bytes: randomBytes(PL - 1) },
  { key: 'sizes/exact-piece.bin', bytes: randomBytes(PL) },
  { key: 'sizes/piece-plus-one.bin', bytes: randomBytes(PL + 1) },
  { key: 'a b/with spaces & ampersand.bin', bytes: randomBytes(70_001) },
  { key: 'ünïcødé/文件 📦.bin', bytes: randomBytes(33_333) },
  { key: 'deep/nested/prefix/of/many/levels/x.bin', bytes: randomBytes(5000) },
  { key: `quotes/"double" and 'single';.bin`, bytes: randomBytes(4097) },
  { key: 'percent/100%25 + plus.bin', bytes: randomBytes(2048) },
  { key: 'large/several-mib.bin', bytes: randomBytes(40 * 1024 * 1024 + 3) },
];

beforeAll(async () => {
  rt = await startTestRuntime({
    env: {
      SERVED_BUCKETS: bucketsEnv([{ name: 'media' }, { name: 'shop', prefix: 'public/' }]),
      READ_PART_BYTES: String(1024 * 1024), // several ranged parts even for mid-size objects
    },
  });
  for (const o of objects) await rt.put('media', o.key, o.bytes);
  await rt.put('media', 'empty.bin', Buffer.alloc(0));
  await rt.put('shop', 'public/item.bin', randomBytes(100));
  await rt.put('shop', 'private/secret.bin', randomBytes(100));
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

const get = (url: string, init?: RequestInit) => fetch(url, init);
const json = async (res: Response) => ({ status: res.status, type: res.headers.get('content-type'), body: await res.json() });

/** Matches the form our seed URLs take for an unpinned one: same path, token `kid.exp.<sig>.<pin>.<info-hash>`. */
const pinnedSeedOf = (seedUrl: string) => {
  const [base, rest] = seedUrl.split('/seed/');
  const [token, ...path] = rest.split('/');
  const [kid, exp] = token.split('.');
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return expect.stringMatching(new RegExp(`^${esc(base)}/seed/${esc(kid)}\\.${exp}\\.[\\w-]{43}\\.[\\w-]+\\.[0-9a-f]{40}/${esc(path.join('/'))}$`));
};

describe('GET /torrent/<bucket>/<key> building torrents from the object', () => {
  test('every awkward size and key gives a torrent whose pieces are the SHA-1 of the bytes and whose info-hash matches libtorrent create_torrent', async () => {
    const built: Array<{ name: string; bytes: Buffer; pieceLength: number; private: boolean; ours: string }> = [];
    for (const o of objects) {
      const link = rt.link('media', o.key);
      const res = await get(link.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-bittorrent');
      const torrent = Buffer.from(await res.arrayBuffer());
      const { top, info } = decodeTorrent(torrent);
      const name = o.key.split('/').pop()!;
      const pieceLength = choosePieceLength(o.bytes.length);
      expect({
        name: (info.name as Buffer).toString('utf8'),
        length: info.length,
        pieceLength: info['piece length'],
        pieces: (info.pieces as Buffer).equals(expectedPieces(o.bytes, pieceLength)),
        urlList: (top['url-list'] as Buffer[]).map(String),
        infoKeys: Object.keys(info).sort(),
        announce: top.announce === undefined ? undefined : String(top.announce),
        creationDateIsLastModified: typeof top['creation date'] === 'number',
      }).toEqual({
        name,
        length: o.bytes.length,
        pieceLength,
        pieces: true,
        // The link's seed URL, its token extended with the version pin (the object's ETag on s3rver).
        urlList: [pinnedSeedOf(link.seedUrl)],
        // Private swarm (the default): BEP 27 `private`, and our tracker for this link and swarm.
        infoKeys: ['length', 'name', 'piece length', 'pieces', 'private'],
        announce: expect.stringMatching(new RegExp(`^${rt.baseUrl.replace(/\./g, '\\.')}/announce/[\\w.-]+$`)),
        creationDateIsLastModified: true,
      });
      expect(res.headers.get('x-torrent-info-hash')).toBe(infoHash(torrent));
      built.push({ name, bytes: o.bytes, pieceLength, private: true, ours: infoHash(torrent) });
    }
    const independent = independentInfoHashes(built);
    expect(built.map((b) => b.ours)).toEqual(independent);
  }, 180_000);

  test('answers with a download name that survives quotes and unicode (RFC 6266 filename*)', async () => {
    const res = await get(rt.link('media', `quotes/"double" and 'single';.bin`).url);
    await res.arrayBuffer();
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="_double_ and 'single';.bin.torrent"; filename*=UTF-8''%22double%22%20and%20%27single%27%3B.bin.torrent`,
    );
    const uni = await get(rt.link('media', 'ünïcødé/文件 📦.bin').url);
    await uni.arrayBuffer();
    expect(uni.headers.get('content-disposition')).toBe(
      `attachment; filename="__ _.bin.torrent"; filename*=UTF-8''${encodeURIComponent('文件 📦.bin.torrent')}`,
    );
  });

  test('gives byte-identical torrents for the same link, from the cache the second time', async () => {
    const link = rt.link('media', 'sizes/piece-plus-one.bin');
    const a = await get(link.url);
    const b = await get(link.url);
    const [ab, bb] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
    expect(ab.equals(bb)).toBe(true);
    expect(b.headers.get('x-torrent-source')).toBe('cache');
  });

  test('gives the same info-hash for two different links to one object (one swarm)', async () => {
    const a = await get(rt.link('media', 'one-byte.bin', { ttlSeconds: 100 }).url);
    const b = await get(rt.link('media', 'one-byte.bin', { ttlSeconds: 200 }).url);
    const [ab, bb] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
    expect(ab.equals(bb)).toBe(false); // different url-list
    expect(infoHash(ab)).toBe(infoHash(bb));
  });

  test('builds a new torrent when the object changes (the cache is keyed by version/ETag)', async () => {
    await rt.put('media', 'changing.bin', Buffer.from('first version'));
    const link = rt.link('media', 'changing.bin');
    const first = Buffer.from(await (await get(link.url)).arrayBuffer());
    await rt.put('media', 'changing.bin', Buffer.from('second version!'));
    const second = await get(link.url);
    const body = Buffer.from(await second.arrayBuffer());
    expect(second.headers.get('x-torrent-source')).toBe('generated');
    expect(decodeTorrent(body).info.length).toBe(15);
    expect((decodeTorrent(body).info.pieces as Buffer).equals(expectedPieces(Buffer.from('second version!'), PL))).toBe(true);
    expect(infoHash(first)).not.toBe(infoHash(body));
  });

  test('answers 304 to a matching If-None-Match', async () => {
    const link = rt.link('media', 'one-byte.bin');
    const first = await get(link.url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    const second = await get(link.url, { headers: { 'If-None-Match': etag } });
    expect(second.status).toBe(304);
  });

  test('answers HEAD with the GET headers and no body', async () => {
    const res = await get(rt.link('media', 'one-byte.bin').url, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-bittorrent');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  test('answers a refused HEAD with the status and headers of GET and no body', async () => {
    const res = await rawRequest(rt.baseUrl, '/torrent/media/one-byte.bin', 'HEAD');
    expect({ status: res.status, type: res.headers['content-type'], body: res.body }).toEqual({
      status: 401,
      type: 'application/json; charset=utf-8',
      body: '',
    });
  });

  test('sends no x-amz-request-charged header when S3 reported no charge', async () => {
    const res = await get(rt.link('media', 'one-byte.bin').url);
    await res.arrayBuffer();
    expect(res.headers.get('x-amz-request-charged')).toBeNull();
  });
});

describe('GET /torrent errors are JSON { code, message } with the right status', () => {
  const cases: Array<[string, () => string, number, string]> = [
    ['a bucket name that breaks S3 rules', () => `${rt.baseUrl}/torrent/Bad_Bucket/x.bin`, 400, 'InvalidPath'],
    ['a key with a control character', () => `${rt.baseUrl}/torrent/media/a%0Ab`, 400, 'InvalidPath'],
    ['a key that is not UTF-8', () => `${rt.baseUrl}/torrent/media/%FF%FE`, 400, 'InvalidPath'],
    ['a key over 1024 bytes', () => `${rt.baseUrl}/torrent/media/${'k'.repeat(1025)}`, 400, 'InvalidPath'],
    ['no share link', () => `${rt.baseUrl}/torrent/media/one-byte.bin`, 401, 'LinkRequired'],
    ['a tampered signature', () => rt.link('media', 'one-byte.bin').url.replace(/sig=(.)/, (_, ch) => `sig=${ch === 'A' ? 'B' : 'A'}`), 403, 'InvalidLink'],
    ['a bucket that is not listed (with a valid link for it)', () => rt.link('elsewhere', 'x.bin').url, 403, 'BucketNotServed'],
    ['a key outside the bucket prefix', () => rt.link('shop', 'private/secret.bin').url, 403, 'KeyNotServed'],
    ['a missing key', () => rt.link('media', 'no/such/key.bin').url, 404, 'NoSuchKey'],
    ['an empty object', () => rt.link('media', 'empty.bin').url, 422, 'EmptyObject'],
  ];
  test.each(cases)('answers %s with the right status and code', async (_name, url, status, code) => {
    const res = await get(url());
    const body = await json(res);
    expect(body.status).toBe(status);
    expect(body.type).toBe('application/json; charset=utf-8');
    expect(body.body).toEqual({ code, message: expect.any(String) });
    expect(JSON.stringify(body.body)).not.toMatch(/at .*\.ts|Error:/);
  });

  test.each([['/torrent/media/a/%2E%2E/b'], ['/torrent/media/a/../b'], ['/torrent/media/./b'], ['/torrent/media/%2e']])(
    'answers the dot-segment path %s with 400 InvalidPath',
    async (path) => {
      const res = await rawRequest(rt.baseUrl, path);
      expect({ status: res.status, body: JSON.parse(res.body) }).toEqual({
        status: 400,
        body: { code: 'InvalidPath', message: 'Object key must not contain "." or ".." path segments.' },
      });
    },
  );

  test('serves a key inside the bucket prefix', async () => {
    const res = await get(rt.link('shop', 'public/item.bin').url);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });

  test('answers other methods with 405 and an Allow header', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await get(rt.link('media', 'one-byte.bin').url, { method });
      expect({ status: res.status, allow: res.headers.get('allow'), body: await res.json() }).toEqual({
        status: 405,
        allow: 'GET, HEAD',
        body: { code: 'MethodNotAllowed', message: 'Use GET, HEAD.' },
      });
    }
  });

  test('answers an unknown route with 404 JSON', async () => {
    const res = await get(`${rt.baseUrl}/nope`);
    expect(await json(res)).toEqual({ status: 404, type: 'application/json; charset=utf-8', body: { code: 'NotFound', message: expect.any(String) } });
  });
});
