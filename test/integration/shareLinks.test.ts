/**
 * Share links end to end over the local runtime: minting (POST /links and
 * `npm run link`), expiry, scope, rotation, magnet form, and logs that never
 * carry a signature or a secret.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { captureLogs } from '../helpers/captureLogs';
import { infoHash } from '../../lambda/metainfo/infoHash';
import { libtorrentDownload } from '../helpers/btClients';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { decodeTorrent, libtorrentInfoHashes } from '../helpers/torrentTools';

const run = promisify(execFile);
const bytes = randomBytes(300_000);
const K1 = 'k1-secret-'.padEnd(40, 'x');
const K2 = 'k2-secret-'.padEnd(40, 'y');

let rt: TestRuntime;
let work: string;

const mint = async (body: unknown) => {
  const res = await fetch(`${rt.baseUrl}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'links-'));
  rt = await startTestRuntime({
    env: {
      SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
      LINK_KEYS: JSON.stringify({ active: 'k2', k1: K1, k2: K2 }),
      LINK_MAX_TTL_SECONDS: String(3 * 86400),
    },
  });
  await rt.put('media', 'season1/ep1.bin', bytes);
  await rt.put('media', 'season1/ep2.bin', randomBytes(1000));
  await rt.put('media', 'season2/ep1.bin', randomBytes(1000));
});

afterAll(async () => {
  await rt?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a link minted by POST /links downloads end to end in libtorrent with default settings', async () => {
  const { status, json } = await mint({ bucket: 'media', key: 'season1/ep1.bin', ttl: '1h' });
  expect(status).toBe(201);
  const file = join(work, 'ep1.torrent');
  writeFileSync(file, Buffer.from(await (await fetch(json.url)).arrayBuffer()));
  const result = await libtorrentDownload(file, join(work, 'lt'));
  expect(result.ok).toBe(true);
  expect(readFileSync(join(work, 'lt', 'ep1.bin')).equals(bytes)).toBe(true);
}, 60_000);

test('an expired link (ttl of one second) is refused on both the torrent and the seed route', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin', ttl: 1 });
  await new Promise((r) => setTimeout(r, 2100));
  for (const url of [json.url, json.seedUrl]) {
    const res = await fetch(url);
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 403,
      body: { code: 'LinkExpired', message: 'The share link has expired. Ask the object owner for a new one.' },
    });
  }
});

test('a link for key A does not open key B, on either route', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin' });
  for (const url of [json.url.replace('ep1.bin', 'ep2.bin'), json.seedUrl.replace('ep1.bin', 'ep2.bin'), json.url.replace('/media/', '/other-bucket/')]) {
    const res = await fetch(url);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 403, body: { code: 'InvalidLink', message: expect.any(String) } });
  }
});

test('a prefix link opens every key under its prefix and nothing outside it', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin', prefix: 'season1/' });
  const statuses = [];
  for (const key of ['season1/ep1.bin', 'season1/ep2.bin', 'season2/ep1.bin']) {
    const res = await fetch(json.url.replace('season1/ep1.bin', key));
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  expect(statuses).toEqual([200, 200, 403]);
});

test('the magnet form names the same info-hash as the .torrent, as libtorrent reads it', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin', magnet: true });
  const magnet = new URL(json.magnet);
  const torrent = Buffer.from(await (await fetch(json.url)).arrayBuffer());
  const file = join(work, 'magnet-check.torrent');
  writeFileSync(file, torrent);
  expect({
    xt: magnet.searchParams.get('xt'),
    dn: magnet.searchParams.get('dn'),
    xs: magnet.searchParams.get('xs'),
    ws: magnet.searchParams.get('ws'),
  }).toEqual({ xt: `urn:btih:${infoHash(torrent)}`, dn: 'ep1.bin', xs: json.url, ws: String((decodeTorrent(torrent).top['url-list'] as Buffer[])[0]) });
  expect(libtorrentInfoHashes([file])).toEqual([json.infoHash]);
});

test('key rotation: links of every key id in the ring work; new links use the active one', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep2.bin' });
  expect(json.kid).toBe('k2');
  // A link signed before the rotation, when k1 was the active key.
  const beforeRotation = mintShareLink(parseKeyRing(JSON.stringify({ active: 'k1', k1: K1 })), {
    baseUrl: rt.baseUrl,
    bucket: 'media',
    key: 'season1/ep2.bin',
    exp: Math.floor(Date.now() / 1000) + 600,
  });
  const statuses = [];
  for (const url of [json.url, beforeRotation.url, beforeRotation.seedUrl!]) {
    const res = await fetch(url);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  expect({ kid: new URL(beforeRotation.url).searchParams.get('kid'), statuses }).toEqual({ kid: 'k1', statuses: [200, 200, 200] });
});

test('retiring a key id kills its links', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep2.bin' });
  const retired = await startTestRuntime({
    env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]), LINK_KEYS: JSON.stringify({ active: 'k3', k3: 'k3-secret-'.padEnd(40, 'z') }) },
    s3Endpoint: rt.s3Endpoint,
  });
  try {
    const res = await fetch(json.url.replace(rt.baseUrl, retired.baseUrl));
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 403, body: { code: 'InvalidLink', message: expect.any(String) } });
  } finally {
    await retired.stop();
  }
});

test.each([
  ['a body that is not JSON', 'not json', 400, 'InvalidJson'],
  ['a missing key', { bucket: 'media' }, 400, 'InvalidMintRequest'],
  ['a ttl over the maximum', { bucket: 'media', key: 'season1/ep1.bin', ttl: '4d' }, 400, 'InvalidMintRequest'],
  ['a ttl that is not a duration', { bucket: 'media', key: 'season1/ep1.bin', ttl: '1 year' }, 400, 'InvalidMintRequest'],
  ['a bucket that is not served', { bucket: 'private', key: 'x.bin' }, 403, 'BucketNotServed'],
  ['a key with a lone UTF-16 surrogate (only JSON can carry one)', '{"bucket":"media","key":"a\\ud800.bin"}', 400, 'InvalidMintRequest'],
  ['a prefix that is not a prefix of the key', { bucket: 'media', key: 'season1/ep1.bin', prefix: 'season2/' }, 400, 'InvalidMintRequest'],
])('POST /links refuses %s', async (_name, body, status, code) => {
  const res = await fetch(`${rt.baseUrl}/links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect({ status: res.status, body: await res.json() }).toEqual({ status, body: { code, message: expect.any(String) } });
});

test('`npm run link` prints a link for the local runtime that works when pasted into curl', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cli-'));
  // The CLI reads the local runtime's key file; this runtime uses that same directory.
  const local = await startTestRuntime({ dataDir, env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) }, s3Endpoint: rt.s3Endpoint });
  try {
    const port = new URL(local.baseUrl).port;
    const { stdout } = await run(resolve('node_modules/.bin/tsx'), ['infra/local/link.ts', 'media/season1/ep1.bin', '--ttl', '10m'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: port },
    });
    const url = stdout.trim();
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/torrent/media/season1/ep1\\.bin\\?exp=\\d+&kid=local1&sig=[\\w-]{43}$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-bittorrent');
    await res.arrayBuffer();
  } finally {
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);

test('no log line carries a link signature, a seed token or a key secret', async () => {
  const { lines, restore } = captureLogs(rt.app.services.logger, 'DEBUG');
  try {
    const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin', magnet: true });
    await (await fetch(json.url)).arrayBuffer();
    await (await fetch(json.seedUrl, { headers: { Range: 'bytes=0-9' } })).arrayBuffer();
    await (await fetch(json.url.replace(/sig=(.)/, (_, ch) => `sig=${ch === 'Z' ? 'Y' : 'Z'}`))).arrayBuffer();
    const sig = new URL(json.url).searchParams.get('sig')!;
    const seedSig = json.seedUrl.split('/seed/')[1].split('/')[0].split('.')[2];
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect({ sig: all.includes(sig), seedSig: all.includes(seedSig), k1: all.includes(K1), k2: all.includes(K2) }).toEqual({
      sig: false,
      seedSig: false,
      k1: false,
      k2: false,
    });
    expect(all).toContain('/seed/[redacted]');
  } finally {
    restore();
  }
});

test('the torrent and seed routes allow any origin (browser clients such as WebTorrent), errors included', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin' });
  const answers = [];
  for (const [url, init] of [
    [json.url, {}],
    [json.seedUrl, { headers: { Range: 'bytes=0-0' } }],
    [json.url.replace(/sig=(.)/, (_, ch) => `sig=${ch === 'Q' ? 'R' : 'Q'}`), {}],
  ] as const) {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    answers.push({
      status: res.status,
      origin: res.headers.get('access-control-allow-origin'),
      exposes: res.headers.get('access-control-expose-headers')?.includes('Content-Range'),
    });
  }
  expect(answers).toEqual([
    { status: 200, origin: '*', exposes: true },
    { status: 206, origin: '*', exposes: true },
    { status: 403, origin: '*', exposes: true },
  ]);
});

test('POST /links answers no CORS and refuses a body that is not declared JSON (a web page cannot mint links)', async () => {
  const res = await fetch(`${rt.baseUrl}/links`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ bucket: 'media', key: 'season1/ep1.bin' }),
  });
  expect({ status: res.status, origin: res.headers.get('access-control-allow-origin'), body: await res.json() }).toEqual({
    status: 415,
    origin: null,
    body: { code: 'UnsupportedMediaType', message: 'Send the body as Content-Type: application/json.' },
  });
});
