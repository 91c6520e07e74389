/**
 * Real BitTorrent clients download a generated torrent's bytes through our
 * web-seed route, in their default settings, and the bytes match.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aria2Download, libtorrentDownload, transmissionDownload } from '../helpers/btClients';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const KEY = 'videos/clip one (final).bin';
const bytes = randomBytes(6 * 1024 * 1024 + 5);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bt-clients-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fetchTorrentFile = async (rt: TestRuntime, name: string): Promise<string> => {
  const res = await fetch(rt.link('media', KEY).url);
  expect(res.status).toBe(200);
  const file = join(work, `${name}.torrent`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
};

const downloaded = (dir: string) => sha(readFileSync(join(dir, 'clip one (final).bin')));

describe('seed mode "proxy" (the local default): the seed route serves the bytes with Range/206', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]), SEED_MODE: 'proxy' } });
    await rt.put('media', KEY, bytes);
  });
  afterAll(() => rt?.stop());

  test('aria2 downloads the object from the web seed and the bytes match', async () => {
    const dir = join(work, 'aria2');
    await aria2Download(await fetchTorrentFile(rt, 'aria2'), dir);
    expect(downloaded(dir)).toBe(sha(bytes));
  }, 90_000);

  test('libtorrent (qBittorrent engine) with default settings, SSRF mitigation on, downloads it and the bytes match', async () => {
    const dir = join(work, 'libtorrent');
    const result = await libtorrentDownload(await fetchTorrentFile(rt, 'lt'), dir);
    expect(result).toEqual(expect.objectContaining({ ok: true, errors: [] }));
    expect(downloaded(dir)).toBe(sha(bytes));
  }, 90_000);

  test('transmission-cli downloads it and the bytes match', async () => {
    const dir = join(work, 'transmission');
    await transmissionDownload(await fetchTorrentFile(rt, 'tr'), dir);
    expect(downloaded(dir)).toBe(sha(bytes));
  }, 90_000);

  test('the seed route answers a Range request with 206 and exactly those bytes', async () => {
    const torrentRes = await fetch(rt.link('media', KEY).url);
    const seed = rt.link('media', KEY).seedUrl;
    await torrentRes.arrayBuffer();
    const res = await fetch(seed, { headers: { Range: 'bytes=100-199' } });
    const body = Buffer.from(await res.arrayBuffer());
    expect({
      status: res.status,
      range: res.headers.get('content-range'),
      length: res.headers.get('content-length'),
      same: body.equals(bytes.subarray(100, 200)),
    }).toEqual({
      status: 206,
      range: `bytes 100-199/${bytes.length}`,
      length: '100',
      same: true,
    });
  });
});

describe('seed mode "redirect" (the AWS default): the seed route redirects to a presigned GetObject URL', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]), SEED_MODE: 'redirect' } });
    await rt.put('media', KEY, bytes);
  });
  afterAll(() => rt?.stop());

  test('answers 302 to a presigned URL that carries the expected-owner header as a signed query parameter', async () => {
    const res = await fetch(rt.link('media', KEY).seedUrl, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect({
      status: res.status,
      cache: res.headers.get('cache-control'),
      target: `${location.origin}${decodeURIComponent(location.pathname)}`,
      owner: location.searchParams.get('x-amz-expected-bucket-owner'),
      signed: location.searchParams.has('X-Amz-Signature'),
    }).toEqual({ status: 302, cache: 'no-store', target: `${rt.s3Endpoint}/media/${KEY}`, owner: '123456789000', signed: true });
  });

  test('aria2 follows the redirect and downloads the bytes', async () => {
    const dir = join(work, 'aria2-redirect');
    await aria2Download(await fetchTorrentFile(rt, 'aria2-redirect'), dir);
    expect(downloaded(dir)).toBe(sha(bytes));
  }, 90_000);
});
