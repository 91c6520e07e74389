/**
 * Folders as one multi-file torrent: every object under a prefix, hashed
 * across file boundaries, downloaded whole by libtorrent, aria2 and
 * Transmission from the folder's web seed, with nothing beside the prefix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { aria2Download, libtorrentDownload, transmissionDownload } from '../helpers/btClients';
import { decodeTorrent } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const KiB = 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Awkward files: 1 byte, zero bytes, a file smaller than a piece between two larger ones, unicode and spaces, nesting. */
const FILES: Record<string, Buffer> = {
  'big-a.bin': randomBytes(300 * KiB + 7),
  'empty.bin': Buffer.alloc(0),
  'one-byte.bin': randomBytes(1),
  'small.bin': randomBytes(5000),
  'big-b.bin': randomBytes(200 * KiB + 3),
  'sub dir/ünï cödé.bin': randomBytes(70 * KiB),
  'sub dir/deeper/x.bin': randomBytes(40 * KiB),
};

let rt: TestRuntime;
let work: string;
const folderLink = () =>
  mintShareLink(parseKeyRing(rt.keysJson), { baseUrl: rt.baseUrl, bucket: 'media', key: 'data/set/', folder: true, exp: Math.floor(Date.now() / 1000) + 3600 })
    .url;

beforeAll(async () => {
  rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) } });
  work = mkdtempSync(join(tmpdir(), 'folders-'));
  for (const [path, bytes] of Object.entries(FILES)) await rt.put('media', `data/set/${path}`, bytes);
  await rt.put('media', 'data/set/', ''); // the S3 console's folder marker
  await rt.put('media', 'data/set-other/secret.bin', 'beside the folder');
});
afterAll(async () => {
  await rt?.stop();
  rmSync(work, { recursive: true, force: true });
});

const fetchTorrent = async () => {
  const res = await fetch(folderLink());
  const bytes = Buffer.from(await res.arrayBuffer());
  return { res, bytes };
};

test('a folder link gives one private multi-file torrent of every object under the prefix, in key order, nothing beside it', async () => {
  const { res, bytes } = await fetchTorrent();
  const { top, info } = decodeTorrent(bytes);
  const files = (info.files as Array<{ length: number; path: Buffer[] }>).map((f) => [f.path.map(String).join('/'), f.length]);
  const expected = Object.entries(FILES)
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([p, b]) => [p, b.length]);
  expect({
    status: res.status,
    name: String(info.name),
    private: info.private,
    files,
    seed: String((top['url-list'] as Buffer[])[0]).endsWith('/media/data/'),
  }).toEqual({ status: 200, name: 'set', private: 1, files: expected, seed: true });
});

test.each([
  ['libtorrent', async (t: string, d: string) => expect((await libtorrentDownload(t, d)).ok).toBe(true)],
  ['aria2', (t: string, d: string) => aria2Download(t, d)],
  ['transmission-cli', (t: string, d: string) => transmissionDownload(t, d)],
])(
  '%s downloads the whole folder from its web seed and every file matches',
  async (name, download) => {
    const { bytes } = await fetchTorrent();
    const dir = join(work, name);
    const file = join(work, `${name}.torrent`);
    writeFileSync(file, bytes);
    await download(file, dir);
    // Transmission 3 does not create zero-length files on disk: a missing empty file is its empty file.
    const read = (p: string) =>
      statSync(join(dir, 'set', p), { throwIfNoEntry: false }) ? readFileSync(join(dir, 'set', p)) : FILES[p].length === 0 ? Buffer.alloc(0) : undefined;
    const got = Object.fromEntries(Object.keys(FILES).map((p) => [p, read(p) ? sha(read(p)!) : 'missing']));
    expect(got).toEqual(Object.fromEntries(Object.entries(FILES).map(([p, b]) => [p, sha(b)])));
  },
  90_000,
);

test('the folder seed serves only listed keys: a key beside the prefix is refused and sends no bytes', async () => {
  const { bytes } = await fetchTorrent();
  const seed = String((decodeTorrent(bytes).top['url-list'] as Buffer[])[0]);
  const beside = await fetch(`${seed}set-other/secret.bin`);
  const listed = await fetch(`${seed}set/small.bin`, { headers: { Range: 'bytes=0-9' } });
  const unlisted = await fetch(`${seed}set/not-there.bin`);
  expect({
    beside: beside.status,
    besideBody: (await beside.text()).includes('beside the folder'),
    listed: listed.status,
    listedBytes: Buffer.from(await listed.arrayBuffer()).equals(FILES['small.bin'].subarray(0, 10)),
    unlisted: unlisted.status,
  }).toEqual({ beside: 403, besideBody: false, listed: 206, listedBytes: true, unlisted: 404 });
  await unlisted.arrayBuffer();
});

test('the torrent changes when one file changes, and the old seed answers 412 for it', async () => {
  const before = await fetchTorrent();
  const oldSeed = String((decodeTorrent(before.bytes).top['url-list'] as Buffer[])[0]);
  await rt.put('media', 'data/set/small.bin', randomBytes(5000));
  const after = await fetchTorrent();
  const stale = await fetch(`${oldSeed}set/small.bin`, { headers: { Range: 'bytes=0-9' } });
  expect({
    changed: before.res.headers.get('x-torrent-info-hash') !== after.res.headers.get('x-torrent-info-hash'),
    stale: stale.status,
  }).toEqual({ changed: true, stale: 412 });
  await stale.arrayBuffer();
});

test('a folder of one file downloads in libtorrent, which reads it as a single-file torrent and asks the seed for the folder name', async () => {
  const only = randomBytes(50 * KiB);
  await rt.put('media', 'solo/only one.bin', only);
  const url = mintShareLink(parseKeyRing(rt.keysJson), {
    baseUrl: rt.baseUrl,
    bucket: 'media',
    key: 'solo/',
    folder: true,
    exp: Math.floor(Date.now() / 1000) + 3600,
  }).url;
  const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
  const dir = join(work, 'solo');
  writeFileSync(join(work, 'solo.torrent'), bytes);
  const out = await libtorrentDownload(join(work, 'solo.torrent'), dir);
  const candidates = [join(dir, 'solo', 'only one.bin'), join(dir, 'solo')].filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
  expect({ ok: out.ok, same: candidates.length === 1 && readFileSync(candidates[0]).equals(only) }).toEqual({ ok: true, same: true });
}, 60_000);

test('POST /links with folder: true mints a folder link, without an object seed URL (the folder seed lives in its torrent)', async () => {
  const res = await fetch(`${rt.baseUrl}/links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bucket: 'media', key: 'data/set/', folder: true }),
  });
  const json = (await res.json()) as { url: string; seedUrl?: string };
  expect({ status: res.status, folder: new URL(json.url).searchParams.get('folder'), seedUrl: json.seedUrl }).toEqual({
    status: 201,
    folder: '1',
    seedUrl: undefined,
  });
  const torrent = await fetch(json.url);
  expect({ status: torrent.status, type: torrent.headers.get('content-type') }).toEqual({ status: 200, type: 'application/x-bittorrent' });
  await torrent.arrayBuffer();
});
