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
import { aria2Download, libtorrentDownload } from '../helpers/btClients';
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

const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

test('OPTIONS preflights on the torrent and seed routes are answered like API Gateway’s MOCK, without calling the Lambda', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin' });
  const { lines, restore } = captureLogs(rt.app.services.logger, 'DEBUG');
  rt.s3Calls.count = 0;
  const answers = [];
  try {
    for (const url of [json.url, json.seedUrl, json.url.replace(/sig=(.)/, (_, ch) => `sig=${ch === 'Q' ? 'R' : 'Q'}`)]) {
      const res = await fetch(url, {
        method: 'OPTIONS',
        headers: { Origin: 'http://127.0.0.1:9', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'cache-control' },
      });
      answers.push({
        status: res.status,
        body: await res.text(),
        headers: Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('access-control-'))),
      });
    }
  } finally {
    restore();
  }
  const preflight = {
    status: 204,
    body: '',
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,HEAD',
      'access-control-allow-headers': 'Cache-Control,Range,User-Agent',
      'access-control-max-age': '7200',
    },
  };
  expect({ answers, lambdaLogLines: lines.length, s3Calls: rt.s3Calls.count }).toEqual({
    answers: [preflight, preflight, preflight],
    lambdaLogLines: 0,
    s3Calls: 0,
  });
});

test('one share URL: a browser gets the share page, clients get the .torrent, both with Vary: Accept', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin' });
  const page = await fetch(json.url, { headers: { Accept: BROWSER_ACCEPT } });
  const html = await page.text();
  const client = await fetch(json.url, { headers: { Accept: '*/*' } });
  const torrent = Buffer.from(await client.arrayBuffer());
  const head = await fetch(json.url, { method: 'HEAD', headers: { Accept: BROWSER_ACCEPT } });
  expect({
    page: {
      status: page.status,
      type: page.headers.get('content-type'),
      vary: page.headers.get('vary'),
      csp: page.headers.get('content-security-policy')?.startsWith("default-src 'none'"),
    },
    client: { status: client.status, type: client.headers.get('content-type'), vary: client.headers.get('vary') },
    head: { status: head.status, type: head.headers.get('content-type'), body: (await head.arrayBuffer()).byteLength },
  }).toEqual({
    page: { status: 200, type: 'text/html; charset=utf-8', vary: 'Accept', csp: true },
    client: { status: 200, type: 'application/x-bittorrent', vary: 'Accept' },
    head: { status: 200, type: 'text/html; charset=utf-8', body: 0 },
  });
  expect(html).toContain(`<code>${infoHash(torrent)}</code>`);
});

test('the page’s .torrent button (as=torrent, unsigned) gives a browser the same torrent, and a tampered link still fails with it', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin' });
  const page = await (await fetch(json.url, { headers: { Accept: BROWSER_ACCEPT } })).text();
  const href = /href="(\?[^"]*as=torrent)"/.exec(page)?.[1].replaceAll('&amp;', '&');
  const button = new URL(href!, json.url).toString();
  const viaButton = await fetch(button, { headers: { Accept: BROWSER_ACCEPT } });
  const viaClient = await fetch(json.url);
  const tamperedSig = button.replace(/sig=(.)/, (_, ch) => `sig=${ch === 'Q' ? 'R' : 'Q'}`);
  const otherKey = button.replace('ep1.bin', 'ep2.bin');
  const refusals = [];
  for (const [url, accept] of [
    [tamperedSig, BROWSER_ACCEPT],
    [tamperedSig, '*/*'],
    [otherKey, '*/*'],
    [`${json.url}&as=page`, '*/*'],
    [`${json.url}&as=torrent&as=torrent`, '*/*'],
  ]) {
    const res = await fetch(url, { headers: { Accept: accept } });
    const type = res.headers.get('content-type');
    refusals.push({
      status: res.status,
      type,
      code: type?.startsWith('application/json') ? ((await res.json()) as { code: string }).code : /Error \d+ · (\w+)/.exec(await res.text())?.[1],
    });
  }
  expect({
    button: { status: viaButton.status, type: viaButton.headers.get('content-type'), hash: viaButton.headers.get('x-torrent-info-hash') },
    same: Buffer.from(await viaButton.arrayBuffer()).equals(Buffer.from(await viaClient.arrayBuffer())),
    query: [...new URL(button).searchParams.keys()],
    refusals,
  }).toEqual({
    button: { status: 200, type: 'application/x-bittorrent', hash: viaClient.headers.get('x-torrent-info-hash') },
    same: true,
    query: ['exp', 'kid', 'sig', 'as'],
    refusals: [
      { status: 403, type: 'text/html; charset=utf-8', code: 'InvalidLink' },
      { status: 403, type: 'application/json; charset=utf-8', code: 'InvalidLink' },
      { status: 403, type: 'application/json; charset=utf-8', code: 'InvalidLink' },
      { status: 400, type: 'application/json; charset=utf-8', code: 'InvalidParameter' },
      { status: 400, type: 'application/json; charset=utf-8', code: 'InvalidParameter' },
    ],
  });
});

test('the share page’s aria2 command, pasted as shown, downloads the object', async () => {
  const { json } = await mint({ bucket: 'media', key: 'season1/ep1.bin' });
  const page = await (await fetch(json.url, { headers: { Accept: BROWSER_ACCEPT } })).text();
  const command = /<pre>(aria2c [^<]*)<\/pre>/
    .exec(page)?.[1]
    .replace(/&(amp|#39|quot|lt|gt);/g, (_, e) => ({ amp: '&', '#39': "'", quot: '"', lt: '<', gt: '>' })[e as string] as string);
  const [, flag, url] = /^aria2c (--seed-time=0) '([^']+)'$/.exec(command ?? '') ?? [];
  const dir = join(work, 'aria2-from-page');
  expect({ flag, url }).toEqual({ flag: '--seed-time=0', url: json.url });
  await aria2Download(url, dir);
  expect(readFileSync(join(dir, 'ep1.bin')).equals(bytes)).toBe(true);
}, 60_000);
