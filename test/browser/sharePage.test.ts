/**
 * The share link opened by a person, in headless Chromium (Debian's), as a
 * browser sends it (`Accept: text/html,…`): the share page, its .torrent
 * button, a folder's file list, the 202 page that reloads itself, and the
 * readable error pages; while clients on the same URL keep getting bytes and
 * JSON. Screenshots go to test/.artifacts/ (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { decodeTorrent, libtorrentInfoHashes } from '../helpers/torrentTools';
import { artifactPath, launchChromium } from './chromium';

// Characters that would break out of HTML if a key were not escaped: the page must show them as text.
const KEY = `films/<img src=x onerror=alert(1)> "Q&A" it's.bin`;
const NAME = `<img src=x onerror=alert(1)> "Q&A" it's.bin`;
const OBJECT = randomBytes(1024 * 1024 + 7);
const LARGE = randomBytes(6 * 1024 * 1024);
const FOLDER = { 'set/readme.txt': randomBytes(1_500), 'set/data/part-1.bin': randomBytes(200_000), 'set/data/part-2.bin': randomBytes(70_000) };

let rt: TestRuntime;
let browser: Browser;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'share-page-'));
  [rt, browser] = await Promise.all([
    // Objects over 4 MiB build in the background (202 while they do).
    startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]), SYNC_GENERATE_MAX_BYTES: String(4 * 1024 * 1024) } }),
    launchChromium(),
  ]);
  await rt.put('media', KEY, OBJECT);
  await rt.put('media', 'films/large.bin', LARGE);
  for (const [key, body] of Object.entries(FOLDER)) await rt.put('media', key, body);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A page that records what the browser complains about (CSP violations are console errors) and any dialog a script opened. */
const openPage = async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  const problems: string[] = [];
  page.on('console', (m) => {
    // Chromium logs every non-2xx document as "Failed to load resource": expected on the error pages.
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
};

const textOf = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

/** The share page's "dt: dd" pairs. */
const details = (page: Page) =>
  page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Array<{ textContent: string | null }> } }).document;
    const dts = doc.querySelectorAll('dt');
    const dds = doc.querySelectorAll('dd');
    return Object.fromEntries(Array.from(dts).map((dt, i) => [dt.textContent ?? '', dds[i]?.textContent ?? '']));
  });

const screenshot = async (page: Page, name: string) => {
  const path = artifactPath(name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
};

test('the share page shows the object, its link and how to download it, and its .torrent button gives the torrent', async () => {
  const link = rt.link('media', KEY, { ttlSeconds: 3 * 86400 });
  const { page, problems } = await openPage();
  const res = await page.goto(link.url);
  expect({ status: res?.status(), type: res?.headers()['content-type'], vary: res?.headers().vary }).toEqual({
    status: 200,
    type: 'text/html; charset=utf-8',
    vary: 'Accept',
  });
  await screenshot(page, 'share-page.png');

  // The .torrent button: what a person clicks first.
  const button = page.getByRole('link', { name: 'Download the .torrent' });
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const saved = join(work, 'from-button.torrent');
  await download.saveAs(saved);
  const torrent = readFileSync(saved);
  const [ltHash] = libtorrentInfoHashes([saved]);

  const shown = await details(page);
  expect({
    title: await textOf(page, 'h1'),
    kicker: await textOf(page, '.kicker'),
    size: shown.Size,
    modified: shown['Last modified'],
    expires: shown['Link expires'],
    infoHash: shown['Info-hash'],
    file: download.suggestedFilename(),
    name: String(decodeTorrent(torrent).info.name),
    length: decodeTorrent(torrent).info.length,
    problems,
  }).toEqual({
    title: NAME,
    kicker: 'A file shared with you over BitTorrent',
    size: '1.00 MiB (1,048,583 bytes)',
    modified: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
    expires: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC \(in [23] days\)$/),
    infoHash: ltHash,
    // Chromium replaces characters that are unsafe in file names.
    file: `${NAME.replace(/[<>"]/g, '_')}.torrent`,
    name: NAME,
    length: OBJECT.length,
    problems: [],
  });
  // The .torrent first, then the magnet with when it works, then per-client instructions.
  const text = await textOf(page, 'main');
  const order = ['Download the .torrent', 'How to download', 'qBittorrent', 'Transmission', 'aria2', 'Magnet link'].map((s) => text.indexOf(s));
  expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true);
  expect(text).toContain('It works once someone in the swarm has the torrent');
  const magnet = await page.getByRole('link', { name: 'Open the magnet link' }).getAttribute('href');
  expect(await page.locator('pre.magnet').textContent()).toBe(magnet);
  expect(new URL(magnet!).searchParams.get('xt')).toBe(`urn:btih:${ltHash}`);
  // aria2's command is the share link itself, which a client (Accept: */*) turns into the same torrent.
  const command = ((await page.locator('pre', { hasText: 'aria2c' }).textContent()) ?? '').trim();
  const pasted = /'([^']+)'$/.exec(command)?.[1];
  const viaClient = await fetch(pasted!, { headers: { Accept: '*/*' } });
  expect({ type: viaClient.headers.get('content-type'), hash: viaClient.headers.get('x-torrent-info-hash') }).toEqual({
    type: 'application/x-bittorrent',
    hash: ltHash,
  });
  await viaClient.arrayBuffer();
  await page.close();
}, 40_000);

test('a folder link’s share page lists every file with its path and size', async () => {
  const ring = parseKeyRing(rt.keysJson);
  const link = mintShareLink(ring, { baseUrl: rt.baseUrl, bucket: 'media', key: 'set/', folder: true, exp: Math.floor(Date.now() / 1000) + 3600 });
  const { page, problems } = await openPage();
  const res = await page.goto(link.url);
  expect(res?.status()).toBe(200);
  await screenshot(page, 'share-page-folder.png');
  const rows = await page
    .locator('table tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from((tr as unknown as { querySelectorAll(s: string): Array<{ textContent: string | null }> }).querySelectorAll('td')).map(
          (td) => td.textContent,
        ),
      ),
    );
  expect({ title: await textOf(page, 'h1'), kicker: await textOf(page, '.kicker'), files: await textOf(page, '#files'), rows, problems }).toEqual({
    title: 'set',
    kicker: 'A folder of 3 files shared with you over BitTorrent',
    files: 'Files (3)',
    // S3 key order, as in the torrent.
    rows: [
      ['set/data/part-1.bin', '195 KiB'],
      ['set/data/part-2.bin', '68.4 KiB'],
      ['set/readme.txt', '1.46 KiB'],
    ],
    problems: [],
  });
  await page.close();
}, 30_000);

test('while a large torrent is built the browser gets a 202 page with its progress that reloads itself into the share page', async () => {
  const link = rt.link('media', 'films/large.bin');
  const { page, problems } = await openPage();
  const statuses: number[] = [];
  page.on('response', (r) => {
    if (r.url().startsWith(`${rt.baseUrl}/torrent/`)) statuses.push(r.status());
  });
  const res = await page.goto(link.url);
  expect({
    status: res?.status(),
    kicker: await textOf(page, '.kicker'),
    refresh: await page.locator('meta[http-equiv="refresh"]').getAttribute('content'),
    progress: await page.locator('progress').getAttribute('max'),
  }).toEqual({ status: 202, kicker: 'Preparing the torrent', refresh: expect.stringMatching(/^\d+$/), progress: String(LARGE.length) });
  expect(await textOf(page, 'main')).toMatch(/\d+(\.\d)?%: .* of 6\.00 MiB hashed/);
  await screenshot(page, 'share-page-building.png');
  // No script: the meta refresh alone brings the share page once the build is done.
  await page.getByRole('link', { name: 'Download the .torrent' }).waitFor({ timeout: 20_000 });
  expect({ first: statuses[0], last: statuses.at(-1), title: await textOf(page, 'h1'), problems }).toEqual({
    first: 202,
    last: 200,
    title: 'large.bin',
    problems: [],
  });
  await page.close();
}, 40_000);

test.each([
  ['a tampered link', (url: string) => url.replace(/sig=(.)/, (_, c) => `sig=${c === 'A' ? 'B' : 'A'}`), 403, 'InvalidLink', 'This share link is not valid'],
  ['a link without its signature', (url: string) => url.split('?')[0], 401, 'LinkRequired', 'This address needs a share link'],
  ['a link moved to another bucket', (url: string) => url.replace('/media/', '/elsewhere/'), 403, 'InvalidLink', 'This share link is not valid'],
  [
    'a genuine link for a bucket this proxy does not serve',
    () => mintShareLink(parseKeyRing(rt.keysJson), { baseUrl: rt.baseUrl, bucket: 'elsewhere', key: 'a.bin', exp: Math.floor(Date.now() / 1000) + 600 }).url,
    403,
    'BucketNotServed',
    'This file is not shared here',
  ],
])('%s: a browser gets a readable error page with the same status, a client on the same URL JSON', async (_name, mutate, status, code, title) => {
  const url = mutate(rt.link('media', KEY).url);
  const { page, problems } = await openPage();
  const res = await page.goto(url);
  const viaClient = await fetch(url);
  expect({
    status: res?.status(),
    type: res?.headers()['content-type'],
    kicker: await textOf(page, '.kicker'),
    title: await textOf(page, 'h1'),
    problems,
    client: { status: viaClient.status, type: viaClient.headers.get('content-type'), body: await viaClient.json() },
  }).toEqual({
    status,
    type: 'text/html; charset=utf-8',
    kicker: `Error ${status} · ${code}`,
    title,
    problems: [],
    client: { status, type: 'application/json; charset=utf-8', body: { code, message: expect.any(String) } },
  });
  if (code === 'InvalidLink' && url.includes('/media/')) await screenshot(page, 'error-page.png');
  await page.close();
});

test('an expired link and a missing object show their own pages', async () => {
  const expired = rt.link('media', KEY, { ttlSeconds: 1 });
  const missing = rt.link('media', 'films/gone.bin');
  await new Promise((r) => setTimeout(r, 1100));
  const { page, problems } = await openPage();
  const answers = [];
  for (const url of [expired.url, missing.url]) {
    const res = await page.goto(url);
    answers.push({ status: res?.status(), kicker: await textOf(page, '.kicker'), title: await textOf(page, 'h1') });
  }
  expect({ answers, problems }).toEqual({
    answers: [
      { status: 403, kicker: 'Error 403 · LinkExpired', title: 'This share link has expired' },
      { status: 404, kicker: 'Error 404 · NoSuchKey', title: 'This file no longer exists' },
    ],
    problems: [],
  });
  await page.close();
});

afterAll(() => writeFileSync(artifactPath('README.txt'), 'Screenshots of the Chromium tests (test/browser); regenerated by every run.\n'));
