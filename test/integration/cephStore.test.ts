/**
 * Against a real store that serves GetObjectTorrent: a throw-away Ceph RGW
 * (scripts/ceph-rgw.sh; Debian's ceph 16.2 with `rgw torrent flag`). Ceph
 * builds torrents at PUT whose piece hashes after the first are wrong, adds
 * no web seed, seeds nothing, and has no torrent for objects of a versioned
 * bucket. The proxy must never pass on a wrong one, must make the right ones
 * downloadable, and must keep old torrents working after an overwrite.
 * Runs when Ceph is installed (.ci/run installs it); says why it skipped otherwise.
 */
import { CreateBucketCommand, GetObjectTorrentCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infoHash } from '../../lambda/metainfo/infoHash';
import { libtorrentDownload } from '../helpers/btClients';
import { cephAvailable, startCephRgw, type CephRgw } from '../helpers/cephRgw';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const KiB = 1024;
const CEPH_PIECE = 512 * KiB;
const skipWhy = cephAvailable();
if (skipWhy) console.warn(`cephStore.test.ts skipped: ${skipWhy} (scripts/ceph-rgw.sh install)`);
const suite = skipWhy ? describe.skip : describe;

suite('a Ceph RGW store that serves GetObjectTorrent', () => {
  let rgw: CephRgw;
  let rt: TestRuntime;
  let admin: S3Client;
  const objects = {
    'one-piece.bin': randomBytes(100_000),
    'seven-pieces.bin': randomBytes(6 * CEPH_PIECE + 1000),
    'eighteen-pieces.bin': randomBytes(17 * CEPH_PIECE + 12_345),
  };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    rgw = await startCephRgw();
    admin = new S3Client({ endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: rgw, requestChecksumCalculation: 'WHEN_REQUIRED' });
    for (const b of ['ceph-auto', 'ceph-store', 'ceph-versioned']) await admin.send(new CreateBucketCommand({ Bucket: b }));
    await admin.send(new PutBucketVersioningCommand({ Bucket: 'ceph-versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    for (const [key, body] of Object.entries(objects)) {
      await admin.send(new PutObjectCommand({ Bucket: 'ceph-auto', Key: key, Body: body }));
      await admin.send(new PutObjectCommand({ Bucket: 'ceph-store', Key: key, Body: body }));
    }
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) saved[k] = process.env[k];
    process.env.AWS_ACCESS_KEY_ID = rgw.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = rgw.secretAccessKey;
    rt = await startTestRuntime({
      s3Endpoint: rgw.endpoint,
      env: {
        SERVED_BUCKETS: bucketsEnv([
          // Public swarms: a private one never forwards a store's torrent (it cannot carry BEP 27's flag).
          { name: 'ceph-auto', swarm: 'public' },
          { name: 'ceph-store', source: 'store', swarm: 'public' },
          { name: 'ceph-versioned' },
        ]),
      },
    });
  }, 180_000);

  afterAll(async () => {
    await rt?.stop();
    await rgw?.stop();
    for (const [k, v] of Object.entries(saved)) process.env[k] = v;
  });

  const torrentOf = async (bucket: string, key: string) => {
    const res = await fetch(rt.link(bucket, key).url);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { res, bytes };
  };

  test("serves 0 corrupt torrents for objects of 1, 7 and 18 pieces: Ceph's correct one is forwarded, its wrong ones are replaced", async () => {
    const served = [];
    for (const [key, body] of Object.entries(objects)) {
      const { res, bytes } = await torrentOf('ceph-auto', key);
      const { info } = decodeTorrent(bytes);
      const pieceLength = info['piece length'] as number;
      served.push({
        key,
        status: res.status,
        source: res.headers.get('x-torrent-source'),
        piecesMatch: (info.pieces as Buffer).equals(expectedPieces(body, pieceLength)),
      });
    }
    expect(served).toEqual([
      { key: 'one-piece.bin', status: 200, source: 'store', piecesMatch: true },
      { key: 'seven-pieces.bin', status: 200, source: 'generated', piecesMatch: true },
      { key: 'eighteen-pieces.bin', status: 200, source: 'generated', piecesMatch: true },
    ]);
  });

  test("a forwarded torrent keeps the store's info-hash, gains our version-pinned web seed, and libtorrent downloads it", async () => {
    const store = await admin.send(new GetObjectTorrentCommand({ Bucket: 'ceph-auto', Key: 'one-piece.bin' }));
    const storeBytes = Buffer.from(await store.Body!.transformToByteArray());
    const { res, bytes } = await torrentOf('ceph-auto', 'one-piece.bin');
    const { top } = decodeTorrent(bytes);
    const seeds = (top['url-list'] as Buffer[]).map(String);
    expect({
      source: res.headers.get('x-torrent-source'),
      sameInfoHash: infoHash(bytes) === infoHash(storeBytes) && res.headers.get('x-torrent-info-hash') === infoHash(storeBytes),
      seeds: seeds.length,
      pinnedSeed: /\/seed\/[^/]+\.[^/.]+\.[^/.]+\.[A-Za-z0-9_-]+\/ceph-auto\/one-piece\.bin$/.test(seeds[0]),
    }).toEqual({ source: 'store', sameInfoHash: true, seeds: 1, pinnedSeed: true });
    const dir = mkdtempSync(join(tmpdir(), 'ceph-lt-'));
    try {
      writeFileSync(join(dir, 'a.torrent'), bytes);
      const out = await libtorrentDownload(join(dir, 'a.torrent'), dir);
      expect({ ok: out.ok, same: readFileSync(join(dir, 'one-piece.bin')).equals(objects['one-piece.bin']) }).toEqual({ ok: true, same: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  test('source "store" answers 502 InvalidStoreTorrent for Ceph\'s wrong torrents and forwards its right one', async () => {
    const answers = [];
    for (const key of Object.keys(objects)) {
      const { res, bytes } = await torrentOf('ceph-store', key);
      answers.push({ key, status: res.status, code: res.status === 200 ? res.headers.get('x-torrent-source') : JSON.parse(bytes.toString()).code });
    }
    expect(answers).toEqual([
      { key: 'one-piece.bin', status: 200, code: 'store' },
      { key: 'seven-pieces.bin', status: 502, code: 'InvalidStoreTorrent' },
      { key: 'eighteen-pieces.bin', status: 502, code: 'InvalidStoreTorrent' },
    ]);
  });

  test('versioned bucket: after an overwrite the old torrent still downloads version 1, and the link gives version 2', async () => {
    const v1 = randomBytes(3 * CEPH_PIECE + 777);
    const v2 = randomBytes(2 * CEPH_PIECE + 99);
    await admin.send(new PutObjectCommand({ Bucket: 'ceph-versioned', Key: 'release.bin', Body: v1 }));
    const first = await torrentOf('ceph-versioned', 'release.bin');
    await admin.send(new PutObjectCommand({ Bucket: 'ceph-versioned', Key: 'release.bin', Body: v2 }));
    const dir = mkdtempSync(join(tmpdir(), 'ceph-ver-'));
    try {
      writeFileSync(join(dir, 'v1.torrent'), first.bytes);
      const out = await libtorrentDownload(join(dir, 'v1.torrent'), dir);
      expect({ ok: out.ok, isV1: readFileSync(join(dir, 'release.bin')).equals(v1) }).toEqual({ ok: true, isV1: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const second = await torrentOf('ceph-versioned', 'release.bin');
    const { info } = decodeTorrent(second.bytes);
    expect({ length: info.length, piecesMatchV2: (info.pieces as Buffer).equals(expectedPieces(v2, info['piece length'] as number)) }).toEqual({
      length: v2.length,
      piecesMatchV2: true,
    });
  }, 120_000);

  test("a link pinned to version 1 at mint gives version 1's torrent after an overwrite, and once cached is served with no S3 call", async () => {
    const v1 = randomBytes(CEPH_PIECE + 4321);
    const put1 = await admin.send(new PutObjectCommand({ Bucket: 'ceph-versioned', Key: 'pinned.bin', Body: v1 }));
    await admin.send(new PutObjectCommand({ Bucket: 'ceph-versioned', Key: 'pinned.bin', Body: randomBytes(5000) }));
    const minted = await fetch(`${rt.baseUrl}/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bucket: 'ceph-versioned', key: 'pinned.bin', version: put1.VersionId }),
    });
    const { url, version } = (await minted.json()) as { url: string; version: string };
    const first = Buffer.from(await (await fetch(url)).arrayBuffer());
    rt.s3Calls.count = 0;
    const again = await fetch(url);
    const second = Buffer.from(await again.arrayBuffer());
    const { info } = decodeTorrent(first);
    expect({
      version,
      length: info.length,
      isV1: (info.pieces as Buffer).equals(expectedPieces(v1, info['piece length'] as number)),
      sameBytes: second.equals(first),
      source: again.headers.get('x-torrent-source'),
      s3CallsForCachedPinned: rt.s3Calls.count,
    }).toEqual({ version: put1.VersionId, length: v1.length, isV1: true, sameBytes: true, source: 'cache', s3CallsForCachedPinned: 0 });
    // A tampered version in the link is refused before any S3 call.
    const forged = await fetch(url.replace(/version=[^&]+/, `version=${encodeURIComponent('0' + version)}`));
    expect({ status: forged.status, code: ((await forged.json()) as { code: string }).code }).toEqual({ status: 403, code: 'InvalidLink' });
  });
});
