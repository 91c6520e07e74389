/**
 * Folders too large to build within one request, in AWS mode: the torrent
 * function writes the folder's manifest to the cache bucket, starts the
 * generate function with a small event naming it, and answers 202 with
 * progress; folders over SEGMENT_BYTES fan out into segments of the files'
 * concatenation (crossing file boundaries), joined in order. The Lambda
 * Invoke API is a stub (test/helpers/stubLambda.ts) dispatching to our own
 * generate handler; S3 is the embedded s3rver through the real SDK. Sizes
 * are scaled down with SYNC_GENERATE_MAX_BYTES and SEGMENT_BYTES.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import { servedObject } from '../../lambda/policy/servedObject';
import { startStubLambda, type StubLambda } from '../helpers/stubLambda';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Over SEGMENT_BYTES (2 MiB): two segments, the boundary inside the third file. 0- and 1-byte files, a file smaller than a piece between large ones. */
const LARGE: Array<[string, Buffer]> = [
  ['a.bin', randomBytes(MiB + 7)],
  ['b-empty.bin', Buffer.alloc(0)],
  ['c.bin', randomBytes(1)],
  ['d.bin', randomBytes(5000)],
  ['e.bin', randomBytes(1500 * KiB + 3)],
  ['f.bin', randomBytes(1)],
  ['g/h.bin', randomBytes(700 * KiB)],
];
/** Over SYNC_GENERATE_MAX_BYTES (1 MiB), under SEGMENT_BYTES: one background build, no segments. */
const MEDIUM: Array<[string, Buffer]> = [
  ['x.bin', randomBytes(600 * KiB)],
  ['y.bin', randomBytes(900 * KiB + 11)],
];
const concat = (files: Array<[string, Buffer]>) => Buffer.concat(files.map(([, b]) => b));
const context = { awsRequestId: 'stub' } as Context;

let rt: TestRuntime;
let lambda: StubLambda;

const folderLink = (prefix: string) =>
  mintShareLink(parseKeyRing(rt.keysJson), { baseUrl: rt.baseUrl, bucket: 'media', key: prefix, folder: true, exp: Math.floor(Date.now() / 1000) + 3600 }).url;

/** GETs `url` until it stops answering 202, recording each 202's progress total. */
const poll = async (url: string, deadlineMs = 60_000) => {
  const totals: number[] = [];
  const started = Date.now();
  for (;;) {
    const res = await fetch(url);
    if (res.status !== 202) return { res, totals };
    totals.push(((await res.json()) as { progress: { bytesTotal: number } }).progress.bytesTotal);
    if (Date.now() - started > deadlineMs) throw new Error(`still 202 after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  lambda = await startStubLambda(() => (payload) => rt.app.handlers.generateHandler(payload, context));
  rt = await startTestRuntime({
    env: {
      SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
      SYNC_GENERATE_MAX_BYTES: String(MiB),
      READ_PART_BYTES: String(64 * KiB),
      SEGMENT_BYTES: String(2 * MiB),
      ASYNC_FUNCTION_NAME: 'proxy-generate',
    },
    deps: { lambdaEndpoint: lambda.endpoint },
  });
  for (const [path, bytes] of LARGE) await rt.put('media', `large/set/${path}`, bytes);
  for (const [path, bytes] of MEDIUM) await rt.put('media', `medium/set/${path}`, bytes);
});
afterAll(async () => {
  await lambda?.idle();
  await rt?.stop();
  await lambda?.close();
});

test('stub Lambda: a large folder answers 202, starts one small generateFolder event naming its cached manifest, fans out into segments across files, and serves a torrent of the concatenation', async () => {
  const total = concat(LARGE).length;
  const pieceLength = choosePieceLength(total);
  const url = folderLink('large/set/');
  const first = await fetch(url);
  const body = (await first.json()) as { code: string; progress: { bytesTotal: number } };
  const second = await fetch(url); // while it runs: no second build
  await second.arrayBuffer();
  await lambda.idle();
  const { res } = await poll(url);
  const { info } = decodeTorrent(Buffer.from(await res.arrayBuffer()));

  expect({ status: first.status, code: body.code, total: body.progress.bytesTotal }).toEqual({ status: 202, code: 'TorrentPending', total });
  expect({ status: res.status, source: res.headers.get('x-torrent-source') }).toEqual({ status: 200, source: 'cache' });
  expect({
    files: (info.files as Array<{ length: number; path: Buffer[] }>).map((f) => [f.path.map(String).join('/'), f.length]),
    pieces: (info.pieces as Buffer).equals(expectedPieces(concat(LARGE), pieceLength)),
  }).toEqual({ files: LARGE.map(([p, b]) => [p, b.length]), pieces: true });

  const mine = lambda.calls.filter((c) => (c.payload.prefix ?? '') === 'large/set/');
  const events = mine.filter((c) => c.type === 'Event');
  expect(events).toEqual([
    {
      functionName: 'proxy-generate',
      type: 'Event',
      payload: {
        action: 'generateFolder',
        bucket: 'media',
        prefix: 'large/set/',
        manifest: expect.stringMatching(/^[0-9a-f]{64}$/),
        files: LARGE.length,
        size: total,
      },
      signed: true,
    },
  ]);
  // The event names the manifest, whatever the folder's file count: far under Lambda's 256 KB for async payloads.
  expect(JSON.stringify(events[0].payload).length).toBeLessThan(300);
  const segments = mine.filter((c) => c.type === 'RequestResponse');
  expect(segments.map((c) => c.payload)).toEqual([
    {
      action: 'hashFolderSegment',
      bucket: 'media',
      prefix: 'large/set/',
      manifest: events[0].payload.manifest,
      pieceLength,
      segment: { start: 0, end: 2 * MiB },
    },
    {
      action: 'hashFolderSegment',
      bucket: 'media',
      prefix: 'large/set/',
      manifest: events[0].payload.manifest,
      pieceLength,
      segment: { start: 2 * MiB, end: total },
    },
  ]);
  expect(segments.every((c) => c.signed)).toBe(true);

  // The progress marker in the cache bucket says done.
  const { services } = rt.app;
  const target = servedObject(services.config.buckets, 'media', 'large/set/');
  const id = services.folders.snapshotId(target, await services.folders.manifest(target));
  expect(await services.lambdaJobs!.status(id)).toEqual(expect.objectContaining({ state: 'done', bytesDone: total, bytesTotal: total }));
});

test('stub Lambda: a folder over SYNC_GENERATE_MAX_BYTES but under SEGMENT_BYTES is built by one generateFolder invocation, no segments', async () => {
  const total = concat(MEDIUM).length;
  const url = folderLink('medium/set/');
  const first = await fetch(url);
  await first.arrayBuffer();
  await lambda.idle();
  const { res } = await poll(url);
  const { info } = decodeTorrent(Buffer.from(await res.arrayBuffer()));
  const mine = lambda.calls.filter((c) => c.payload.prefix === 'medium/set/');
  expect({
    first: first.status,
    status: res.status,
    pieces: (info.pieces as Buffer).equals(expectedPieces(concat(MEDIUM), choosePieceLength(total))),
    calls: mine.map((c) => [c.type, c.payload.action]),
  }).toEqual({ first: 202, status: 200, pieces: true, calls: [['Event', 'generateFolder']] });
});

describe('the generate function refuses malformed folder events with 400 InvalidEvent', () => {
  let digest: string;
  let total: number;
  beforeAll(async () => {
    // The medium folder's manifest is cached by its build (the test above, or this one).
    const url = folderLink('medium/set/');
    await (await fetch(url)).arrayBuffer();
    await lambda.idle();
    await (await poll(url)).res.arrayBuffer();
    const { services } = rt.app;
    const m = await services.folders.manifest(servedObject(services.config.buckets, 'media', 'medium/set/'));
    digest = m.digest;
    total = m.totalSize;
  });
  const generate = (over: Record<string, unknown>) => ({
    action: 'generateFolder',
    bucket: 'media',
    prefix: 'medium/set/',
    manifest: digest,
    files: 2,
    size: total,
    ...over,
  });
  const segment = (over: Record<string, unknown>) => ({
    action: 'hashFolderSegment',
    bucket: 'media',
    prefix: 'medium/set/',
    manifest: digest,
    pieceLength: choosePieceLength(total),
    segment: { start: 0, end: 16 * KiB },
    ...over,
  });

  test.each<[string, () => Record<string, unknown>, string]>([
    ['a prefix without its "/"', () => generate({ prefix: 'medium/set' }), 'prefix (ending in "/") is required'],
    ['a manifest that is not a digest', () => generate({ manifest: 'abc' }), 'manifest must be the sha256 hex digest of a folder manifest'],
    ['a manifest that is not in the cache', () => generate({ manifest: 'f'.repeat(64) }), 'the manifest is not in the cache'],
    ["a size that is not the manifest's", () => generate({ size: total + 1 }), 'files and size do not match the manifest'],
    ['no size', () => generate({ size: undefined }), 'files and size are required'],
    ['a bucket the policy does not serve', () => generate({ bucket: 'other' }), 'bucket or key not served'],
    ['a segment off a piece boundary', () => segment({ segment: { start: 1, end: 16 * KiB } }), 'segment must be piece-aligned and inside the folder'],
    ["a segment past the folder's end", () => segment({ segment: { start: 0, end: total + 1 } }), 'segment must be piece-aligned and inside the folder'],
    ['another piece length', () => segment({ pieceLength: 32 * KiB }), "pieceLength is not the folder's"],
    ['no segment', () => segment({ segment: 'all' }), 'segment and pieceLength are required'],
  ])('%s', async (_label, event, message) => {
    await expect(rt.app.handlers.generateHandler(event(), context)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidEvent', message });
  });

  test('a well-formed segment event answers the SHA-1 pieces of that range of the concatenation', async () => {
    const out = (await rt.app.handlers.generateHandler(segment({ segment: { start: 16 * KiB, end: 48 * KiB } }), context)) as { pieces: string };
    expect(Buffer.from(out.pieces, 'base64').equals(expectedPieces(concat(MEDIUM).subarray(16 * KiB, 48 * KiB), 16 * KiB))).toBe(true);
  });
});

describe('local runtime: a large folder builds in this process after a 202, its segments hashed here', () => {
  let local: TestRuntime;
  beforeAll(async () => {
    local = await startTestRuntime({
      env: {
        SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
        SYNC_GENERATE_MAX_BYTES: String(MiB),
        READ_PART_BYTES: String(64 * KiB),
        SEGMENT_BYTES: String(MiB),
      },
    });
    for (const [path, bytes] of LARGE) await local.put('media', `large/set/${path}`, bytes);
  });
  afterAll(() => local?.stop());

  test('answers 202 with progress, then a torrent whose pieces are SHA-1 of the concatenation', async () => {
    const url = mintShareLink(parseKeyRing(local.keysJson), {
      baseUrl: local.baseUrl,
      bucket: 'media',
      key: 'large/set/',
      folder: true,
      exp: Math.floor(Date.now() / 1000) + 3600,
    }).url;
    const first = await fetch(url);
    const body = (await first.json()) as { code: string; progress: { bytesTotal: number } };
    const { res } = await poll(url);
    const { info } = decodeTorrent(Buffer.from(await res.arrayBuffer()));
    const total = concat(LARGE).length;
    expect({
      first: first.status,
      code: body.code,
      total: body.progress.bytesTotal,
      status: res.status,
      pieces: (info.pieces as Buffer).equals(expectedPieces(concat(LARGE), choosePieceLength(total))),
    }).toEqual({ first: 202, code: 'TorrentPending', total, status: 200, pieces: true });
  });
});
