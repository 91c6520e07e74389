/**
 * A downloader with nothing but a browser: WebTorrent's own browser bundle in
 * headless Chromium, on a page of another origin, given the share link. It
 * fetches the .torrent cross-origin, downloads every piece from the web seed
 * (each piece request preflighted, since WebTorrent sends
 * `Cache-Control: no-store`), and the bytes it assembled equal the object's.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PutBucketCorsCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { preflightHeaders } from '../../lambda/http/cors';
import { infoHash } from '../../lambda/metainfo/infoHash';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { launchChromium, startOrigin, type Origin } from './chromium';

const OBJECT = randomBytes(1536 * 1024 + 12_345);

const PAGE = `<!doctype html><meta charset="utf-8"><title>webtorrent</title>
<script type="module">import WebTorrent from '/webtorrent.min.js'; globalThis.WebTorrent = WebTorrent; globalThis.webTorrentReady = true;</script>`;

let rt: TestRuntime;
let origin: Origin;
let browser: Browser;
const seen: Array<{ method: string; route: string; origin?: string; requestHeaders?: string; accept?: string }> = [];

beforeAll(async () => {
  [rt, origin, browser] = await Promise.all([
    startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) } }),
    startOrigin(PAGE),
    launchChromium(),
  ]);
  await rt.put('media', 'films/in the browser.bin', OBJECT);
  // Observes (does not answer) every request the proxy gets.
  rt.server.on('request', (req: IncomingMessage) =>
    seen.push({
      method: req.method ?? '',
      route: (req.url ?? '').split('/')[1],
      origin: req.headers.origin,
      requestHeaders: req.headers['access-control-request-headers'],
      accept: req.headers.accept,
    }),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await origin?.close();
  await rt?.stop();
});

interface BrowserDownload {
  infoHash: string;
  name: string;
  base64: string;
  ms: number;
  urlList: string[];
}

/** WebTorrent, in the page, given the share link as a new user would: the bytes it assembled, base64. */
const downloadInBrowser = (page: Page, shareUrl: string) =>
  page.evaluate(async (url: string): Promise<BrowserDownload> => {
    type Torrent = {
      infoHash: string;
      name: string;
      done: boolean;
      urlList: string[];
      files: Array<{ arrayBuffer(): Promise<ArrayBuffer> }>;
      on(ev: string, f: (x?: unknown) => void): void;
    };
    const WebTorrent = (
      globalThis as unknown as { WebTorrent: new () => { add(u: string, cb: (t: Torrent) => void): void; on(ev: string, f: (e: unknown) => void): void } }
    ).WebTorrent;
    const started = performance.now();
    const client = new WebTorrent();
    const torrent = await new Promise<Torrent>((ok, fail) => {
      client.on('error', fail);
      client.add(url, ok);
    });
    await new Promise<void>((ok, fail) => {
      if (torrent.done) ok();
      torrent.on('done', () => ok());
      torrent.on('error', (e) => fail(e));
      setTimeout(() => fail(new Error('WebTorrent did not finish in 40 s')), 40_000);
    });
    const bytes = new Uint8Array(await torrent.files[0].arrayBuffer());
    const ms = performance.now() - started;
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { infoHash: torrent.infoHash, name: torrent.name, base64: btoa(binary), ms, urlList: torrent.urlList };
  }, shareUrl);

test('WebTorrent in Chromium downloads an object from the web seed cross-origin, and the bytes match', async () => {
  const link = rt.link('media', 'films/in the browser.bin');
  const page = await browser.newPage();
  const warnings: string[] = [];
  page.on('pageerror', (e) => warnings.push(String(e)));
  await page.goto(origin.url);
  await page.waitForFunction(() => (globalThis as { webTorrentReady?: boolean }).webTorrentReady === true);
  const got = await downloadInBrowser(page, link.url);
  await page.close();
  const bytes = Buffer.from(got.base64, 'base64');
  const torrent = Buffer.from(await (await fetch(link.url)).arrayBuffer());
  const preflights = seen.filter((r) => r.method === 'OPTIONS' && r.route === 'seed');
  const seedGets = seen.filter((r) => r.method === 'GET' && r.route === 'seed');
  console.log(`WebTorrent in Chromium: ${bytes.length} bytes in ${Math.round(got.ms)} ms; ${seedGets.length} web-seed GETs, ${preflights.length} preflights`);
  expect({
    infoHash: got.infoHash,
    name: got.name,
    length: bytes.length,
    equal: bytes.equals(OBJECT),
    seeds: got.urlList.map((u) => new URL(u).pathname.split('/')[1]),
  }).toEqual({
    infoHash: infoHash(torrent),
    name: 'in the browser.bin',
    length: OBJECT.length,
    equal: true,
    seeds: ['seed'],
  });
  // Every web-seed GET came from the other origin after a preflight that asked for WebTorrent's headers.
  expect(seedGets.length).toBeGreaterThan(0);
  expect(seedGets.every((r) => r.origin === origin.url)).toBe(true);
  expect(preflights.length).toBeGreaterThanOrEqual(seedGets.length);
  const asked = new Set(preflights.flatMap((r) => (r.requestHeaders ?? '').split(',').map((h) => h.trim().toLowerCase())));
  const granted = preflightHeaders()['Access-Control-Allow-Headers'].toLowerCase().split(',');
  expect([...asked].filter((h) => h !== '' && !granted.includes(h))).toEqual([]);
  expect(asked.has('cache-control')).toBe(true);
  // WebTorrent fetched the .torrent from the share link itself, cross-origin, with an Accept that gets bytes.
  const torrentGets = seen.filter((r) => r.method === 'GET' && r.route === 'torrent' && r.origin === origin.url);
  expect(torrentGets.map((r) => r.accept)).toEqual(['*/*']);
  expect(warnings).toEqual([]);
}, 60_000);

test('in redirect mode WebTorrent follows the seed’s 302 to the presigned S3 URL, with the bucket CORS rule the README gives', async () => {
  // The README's rule, on the embedded S3 server (s3rver enforces bucket CORS like S3, Origin: null after the redirect included).
  await rt.admin.send(
    new PutBucketCorsCommand({
      Bucket: 'media',
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: ['*'],
            AllowedMethods: ['GET', 'HEAD'],
            AllowedHeaders: ['Cache-Control', 'Range'],
            ExposeHeaders: ['Content-Length', 'Content-Range', 'Accept-Ranges', 'ETag'],
            MaxAgeSeconds: 7200,
          },
        ],
      },
    }),
  );
  const redirect = await startTestRuntime({
    s3Endpoint: rt.s3Endpoint,
    env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]), SEED_MODE: 'redirect', LINK_KEYS: rt.keysJson },
  });
  const page = await browser.newPage();
  try {
    const object = OBJECT.subarray(0, 1024 * 1024);
    await rt.put('media', 'films/redirected.bin', object);
    const link = redirect.link('media', 'films/redirected.bin');
    const seedAnswers: number[] = [];
    redirect.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'GET' && req.url?.startsWith('/seed/')) res.on('finish', () => seedAnswers.push(res.statusCode));
    });
    await page.goto(origin.url);
    await page.waitForFunction(() => (globalThis as { webTorrentReady?: boolean }).webTorrentReady === true);
    const got = await downloadInBrowser(page, link.url);
    expect({ equal: Buffer.from(got.base64, 'base64').equals(object), redirects: seedAnswers.length > 0 && seedAnswers.every((s) => s === 302) }).toEqual({
      equal: true,
      redirects: true,
    });
  } finally {
    await page.close();
    await redirect.stop();
  }
}, 60_000);
