/**
 * The fan-out's segment, join and failed handlers, run as the local runner
 * (and the state machine) runs them, against the embedded s3rver through
 * the real SDK: an object of a few MiB cut into tiny segments must join
 * into exactly the torrent a single-pass build gives, cached where a later
 * request finds it; a segment whose digests are missing or short fails the
 * join with nothing cached.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_ACCOUNT_ID, ensureBucket, s3ClientFor, startEmbeddedS3, type EmbeddedS3 } from '../../infra/local/embeddedS3';
import { parseBucketPolicies } from '../../lambda/config';
import { entryOf } from '../../lambda/fanout/buildEntry';
import type { BuildFinished } from '../../lambda/fanout/buildFinished';
import { failedHandler } from '../../lambda/fanout/failedHandler';
import type { FanoutBuild, FolderSource, ObjectSource } from '../../lambda/fanout/fanoutEvents';
import { FANOUT_MODEL, segmentKey, type FanoutModel } from '../../lambda/fanout/fanoutModel';
import { joinHandler } from '../../lambda/fanout/joinHandler';
import { localFanout, type FanoutHandlers } from '../../lambda/fanout/localFanout';
import { objectRangeHasher } from '../../lambda/fanout/rangeHashers';
import { segmentHandler, type RangeHashers } from '../../lambda/fanout/segmentHandler';
import { segmentPlan } from '../../lambda/fanout/segmentPlan';
import { fanoutInput } from '../../lambda/fanout/startFanout';
import { HashPool } from '../../lambda/hashing/hashPool';
import { buildFolderInfo } from '../../lambda/metainfo/buildMetainfo';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import { createLogger } from '../../lambda/observability/logger';
import { createMetrics } from '../../lambda/observability/metrics';
import { folderManifest } from '../../lambda/policy/folderManifest';
import { servedObject } from '../../lambda/policy/servedObject';
import { headObject } from '../../lambda/s3/headObject';
import { noCache, s3TorrentCache, type CacheEntryId } from '../../lambda/torrents/cache/torrentCache';
import { TorrentBuilds } from '../../lambda/torrents/torrentBuilds';
import { torrentIdentity } from '../../lambda/torrents/torrentIdentity';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';

const KiB = 1024;
const MiB = 1024 ** 2;
const CACHE = 'fanout-cache';
const PREFIX = 'torrents/';
const log = createLogger({ level: 'SILENT' });
const buckets = parseBucketPolicies(
  JSON.stringify([
    { name: 'media', expectedOwner: EMBEDDED_ACCOUNT_ID, swarm: 'public' },
    { name: 'private-media', expectedOwner: EMBEDDED_ACCOUNT_ID },
  ]),
);
const served = (bucket: string, key: string) => servedObject(buckets, bucket, key);
const readConfig = { readConcurrency: 2, readPartBytes: 256 * KiB };

/** Segments of at most `pieces` pieces (the model's limit: throughput × timeout / margin), 3 at once. */
const tinyModel = (pieceLength: number, pieces: number): FanoutModel => ({
  ...FANOUT_MODEL,
  bytesPerSecond: pieces * pieceLength,
  timeoutSeconds: 3,
  margin: 3,
  minSegmentBytes: 0,
  maxConcurrency: 3,
});

let dir: string;
let server: EmbeddedS3;
let s3: S3Client;
let pool: HashPool;
const cache = () => s3TorrentCache(s3, CACHE, PREFIX);
const store = () => ({ s3, cacheBucket: CACHE, cachePrefix: PREFIX });

/** Every marker write, as the progress port sees it. */
let marks: Array<{ id: CacheEntryId; state: string; error?: string }>;
const finished: BuildFinished = async (id, state, error) => {
  marks.push({ id, state, ...(error ? { error } : {}) });
};

const handlers = (hashRange?: Partial<RangeHashers>): FanoutHandlers => {
  const deps = { ...store(), served, cache: cache() };
  return {
    segment: segmentHandler({ ...deps, hashRange: { object: objectRangeHasher({ s3, config: readConfig, pool }), ...hashRange } }),
    join: joinHandler({ ...deps, finished }),
    failed: failedHandler({ ...store(), served, finished }),
  };
};

const segmentObjects = async (build: string) => {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: CACHE, Prefix: `${PREFIX}segments/${build}/` }));
  return (out.Contents ?? []).map((o) => o.Key);
};

const put = (bucket: string, key: string, body: Buffer) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

/** An object in the store and the build of it, as the starter would describe it. */
const objectBuild = async (bucket: string, key: string, bytes: Buffer, build: string): Promise<FanoutBuild & { source: ObjectSource }> => {
  await put(bucket, key, bytes);
  const head = await headObject(s3, served(bucket, key).ref);
  const source: ObjectSource = {
    kind: 'object',
    bucket,
    key,
    versionId: head.versionId,
    etag: head.etag,
    size: head.size,
    lastModified: head.lastModified?.getTime(),
  };
  return { build, source, pieceLength: choosePieceLength(head.size) };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fanout-'));
  server = await startEmbeddedS3({ port: 0, directory: dir });
  s3 = s3ClientFor(server.endpoint);
  for (const b of ['media', 'private-media', CACHE]) await ensureBucket(s3, b);
  pool = new HashPool();
});
afterAll(async () => {
  await pool?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  marks = [];
});

describe('fan-out handlers against s3rver', () => {
  test('join the segments of a 3 MiB object into the single-pass torrent, cached where a later request finds it', async () => {
    const bytes = randomBytes(3 * MiB + 12_345);
    const b = await objectBuild('media', 'films/big.bin', bytes, 'build-object-1');
    const model = tinyModel(b.pieceLength, 40);
    const plan = segmentPlan(b.source.size, b.pieceLength, model);
    // 193 pieces of 16 KiB, at most 40 per segment, 3 at once: 2 waves, spread over 6 segments of 33 pieces.
    expect({ pieceLength: b.pieceLength, segments: plan.segments.length, waves: plan.waves }).toEqual({ pieceLength: 16 * KiB, segments: 6, waves: 2 });

    const head = await headObject(s3, served('media', 'films/big.bin').ref);
    const id = torrentIdentity('media', 'films/big.bin', head, false);
    const single = new TorrentBuilds({
      s3,
      cache: noCache,
      config: readConfig,
      pool,
      metrics: createMetrics(),
    });
    const singlePass = await single.join(served('media', 'films/big.bin'), head, id, log).promise;

    const result = await localFanout(b, handlers(), log, model);

    const builds = new TorrentBuilds({
      s3,
      cache: cache(),
      config: readConfig,
      pool,
      metrics: createMetrics(),
    });
    const cached = await builds.cached(id, log);
    expect(cached?.equals(singlePass)).toBe(true);
    expect(
      (decodeTorrent(Buffer.concat([Buffer.from('d4:info'), cached!, Buffer.from('e')])).info.pieces as Buffer).equals(expectedPieces(bytes, b.pieceLength)),
    ).toBe(true);
    expect(result).toEqual({ infoHash: createHash('sha1').update(singlePass).digest('hex'), pieces: 193 });
    expect(marks).toEqual([{ id, state: 'done' }]);
    expect(await segmentObjects('build-object-1')).toEqual([]);

    // Step Functions retries a join whose answer was lost: its segments are gone, the entry is there.
    const input = fanoutInput(b, plan);
    await expect(handlers().join(input, log)).resolves.toEqual(result);
  });

  test("writes each segment's digests to <prefix>segments/<build>/<index>.sha1 and answers only their count", async () => {
    const bytes = randomBytes(200 * KiB);
    const b = await objectBuild('media', 'one/seg.bin', bytes, 'build-object-2');
    const { segments } = segmentPlan(b.source.size, b.pieceLength, tinyModel(b.pieceLength, 4));
    const answers = await Promise.all(segments.map((segment) => handlers().segment({ ...b, segment }, log)));
    // 13 pieces, at most 4 per segment, 3 at once: 2 waves, so 5 segments of 3 pieces (the last of 1).
    expect(answers).toEqual([
      { index: 0, pieces: 3 },
      { index: 1, pieces: 3 },
      { index: 2, pieces: 3 },
      { index: 3, pieces: 3 },
      { index: 4, pieces: 1 },
    ]);
    const last = await s3.send(new GetObjectCommand({ Bucket: CACHE, Key: segmentKey(PREFIX, 'build-object-2', 4) }));
    expect(Buffer.from(await last.Body!.transformToByteArray()).equals(expectedPieces(bytes.subarray(12 * 16 * KiB), b.pieceLength))).toBe(true);
  });

  test.each<[string, (build: string) => Promise<unknown>, RegExp]>([
    ['missing', async () => undefined, /segment 2 has no digests/],
    ['short', (build) => put(CACHE, segmentKey(PREFIX, build, 2), randomBytes(20 * 3)), /segment 2 holds 60 digest bytes, expected 80/],
  ])("fails the join with nothing cached when a segment's digests are %s", async (label, damage, message) => {
    const bytes = randomBytes(300 * KiB);
    const b = await objectBuild('media', `damaged/${label}.bin`, bytes, `build-${label}`);
    const input = fanoutInput(b, segmentPlan(b.source.size, b.pieceLength, tinyModel(b.pieceLength, 4)));
    const h = handlers();
    for (const segment of input.segments) if (segment.index !== 2) await h.segment({ ...b, segment }, log);
    await damage(b.build);

    await expect(h.join(input, log)).rejects.toThrow(message);
    const id = entryOf(b.source, false);
    expect(await cache().get(id)).toBeUndefined();
    expect(marks).toEqual([]);
  });

  test('runs the failed step when a segment fails: a failed marker, no cache entry, no segment objects left', async () => {
    const bytes = randomBytes(300 * KiB);
    const b = await objectBuild('private-media', 'flaky.bin', bytes, 'build-flaky');
    const hash = objectRangeHasher({ s3, config: readConfig, pool });
    const flaky: RangeHashers['object'] = async (source, segment, pieceLength) => {
      if (segment.index === 3) throw Object.assign(new Error('read failed'), { name: 'SlowDown' });
      return hash(source, segment, pieceLength);
    };
    await expect(localFanout(b, handlers({ object: flaky }), log, { ...tinyModel(b.pieceLength, 4), maxConcurrency: 1 })).rejects.toThrow('read failed');
    const id = entryOf(b.source, true);
    expect(marks).toEqual([{ id, state: 'failed', error: 'SlowDown' }]);
    expect(await cache().get(id)).toBeUndefined();
    expect(await segmentObjects('build-flaky')).toEqual([]);
  });

  test('joins a folder (its files end to end) into the multi-file torrent of its cached manifest', async () => {
    const files = [randomBytes(100 * KiB + 7), randomBytes(1), randomBytes(250 * KiB + 3)];
    const keys = ['sets/a/1.bin', 'sets/a/2.bin', 'sets/a/3/x.bin'];
    const listed = [];
    for (const [i, key] of keys.entries()) {
      await put('media', key, files[i]);
      const head = await headObject(s3, served('media', key).ref);
      listed.push({ key, size: head.size, etag: head.etag });
    }
    const manifest = folderManifest('sets/a/', listed, { maxFiles: 10, maxBytes: MiB });
    await cache().put({ bucket: 'media', prefix: 'sets/a/', manifest: manifest.digest, part: 'manifest' }, Buffer.from(JSON.stringify(manifest)));
    const all = Buffer.concat(files);
    const source: FolderSource = { kind: 'folder', bucket: 'media', prefix: 'sets/a/', manifest: manifest.digest, size: all.length };
    // The folder range hasher stands in for the one that reads files in order: here, the same bytes from the test's copy.
    const folder: RangeHashers['folder'] = async (src, segment, pieceLength) => {
      expect(src.files.files.map((f) => f.key)).toEqual(keys);
      return expectedPieces(all.subarray(segment.start, segment.end), pieceLength);
    };
    const b = { build: 'build-folder', source, pieceLength: choosePieceLength(all.length) };

    await localFanout(b, handlers({ folder }), log, tinyModel(b.pieceLength, 5));

    const id = entryOf(source, false);
    const torrent = await cache().get(id);
    const expected = buildFolderInfo({
      name: 'a',
      files: manifest.files.map((f) => ({ length: f.size, path: f.path })),
      pieceLength: b.pieceLength,
      pieces: expectedPieces(all, b.pieceLength),
    });
    expect(decodeTorrent(torrent!).info).toEqual(decodeTorrent(Buffer.concat([Buffer.from('d4:info'), expected, Buffer.from('e')])).info);
    expect(marks).toEqual([{ id, state: 'done' }]);
  });

  test('refuses segment events that are not whole pieces of a served source with 400 InvalidEvent', async () => {
    const b = await objectBuild('media', 'bad/event.bin', randomBytes(100 * KiB), 'build-bad');
    const h = handlers();
    await expect(h.segment({ ...b, segment: { index: 0, start: 1, end: 16 * KiB + 1 } }, log)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidEvent' });
    await expect(h.segment({ ...b, source: { ...b.source, bucket: 'elsewhere' }, segment: { index: 0, start: 0, end: 16 * KiB } }, log)).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidEvent',
      message: 'bucket or key not served',
    });
    expect(await segmentObjects('build-bad')).toEqual([]);
  });
});
