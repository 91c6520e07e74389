/**
 * Folders too large to build within one request, in AWS mode: the torrent
 * function writes the folder's manifest to the cache bucket, starts the
 * generate function with a small event naming it, and answers 202 with
 * progress; a folder whose plan has more than one segment is handed to the
 * build state machine, whose segments of the files' concatenation (crossing
 * file boundaries) and join are the generate function's fan-out steps. The
 * Lambda Invoke API is a stub (test/helpers/stubLambda.ts) dispatching to
 * our own generate handler; the Step Functions API is a stub that records
 * StartExecution (test/helpers/stubStepFunctions.ts), and the test runs the
 * Map's steps itself; S3 is the embedded s3rver through the real SDK. Sizes
 * are scaled down with SYNC_GENERATE_MAX_BYTES, SEGMENT_BYTES (1 MiB) and
 * FANOUT_BYTES_PER_SECOND (segments of at most 3 MiB).
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { segmentKey } from '../../lambda/fanout/fanoutModel';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import { servedObject } from '../../lambda/policy/servedObject';
import { startStubLambda, type StubLambda } from '../helpers/stubLambda';
import { runMap, startStubStepFunctions, type StubStepFunctions } from '../helpers/stubStepFunctions';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Over 3 MiB, the longest segment: two segments, the boundary inside the fifth file. 0- and 1-byte files, a file smaller than a piece between large ones. */
const LARGE: Array<[string, Buffer]> = [
  ['a.bin', randomBytes(MiB + 7)],
  ['b-empty.bin', Buffer.alloc(0)],
  ['c.bin', randomBytes(1)],
  ['d.bin', randomBytes(5000)],
  ['e.bin', randomBytes(1500 * KiB + 3)],
  ['f.bin', randomBytes(1)],
  ['g/h.bin', randomBytes(700 * KiB)],
];
/** Over SYNC_GENERATE_MAX_BYTES (1 MiB), one segment by the plan: one background build in the generate function. */
const MEDIUM: Array<[string, Buffer]> = [
  ['x.bin', randomBytes(600 * KiB)],
  ['y.bin', randomBytes(900 * KiB + 11)],
];
const concat = (files: Array<[string, Buffer]>) => Buffer.concat(files.map(([, b]) => b));
const context = { awsRequestId: 'stub' } as Context;
const FANOUT_ENV = { FANOUT_BYTES_PER_SECOND: '10486', SEGMENT_BYTES: String(MiB) };
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789000:stateMachine:proxy-build';

let rt: TestRuntime;
let lambda: StubLambda;
let sfn: StubStepFunctions;

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
  sfn = await startStubStepFunctions();
  rt = await startTestRuntime({
    env: {
      SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
      SYNC_GENERATE_MAX_BYTES: String(MiB),
      READ_PART_BYTES: String(64 * KiB),
      ASYNC_FUNCTION_NAME: 'proxy-generate',
      BUILD_STATE_MACHINE_ARN: STATE_MACHINE,
      ...FANOUT_ENV,
    },
    deps: { lambdaEndpoint: lambda.endpoint, sfnEndpoint: sfn.endpoint },
  });
  for (const [path, bytes] of LARGE) await rt.put('media', `large/set/${path}`, bytes);
  for (const [path, bytes] of MEDIUM) await rt.put('media', `medium/set/${path}`, bytes);
});
afterAll(async () => {
  await lambda?.idle();
  await rt?.stop();
  await lambda?.close();
  await sfn?.close();
});

test('stub Lambda, stub Step Functions API: a large folder answers 202, starts one small generateFolder event naming its cached manifest, which starts one execution; its segments across files and join, run here, cache a torrent of the concatenation', async () => {
  const total = concat(LARGE).length;
  const pieceLength = choosePieceLength(total);
  const url = folderLink('large/set/');
  const first = await fetch(url);
  const body = (await first.json()) as { code: string; progress: { bytesTotal: number } };
  const second = await fetch(url); // while it runs: no second build
  await second.arrayBuffer();
  await lambda.idle();
  expect(sfn.calls).toHaveLength(1);
  const { input } = sfn.calls[0];
  const { answers } = await runMap(input, (event) => rt.app.handlers.generateHandler(event, context));
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
  // No function invoked another and waited: the only invocation is the Event; the execution's input names the manifest too.
  expect(mine.filter((c) => c.type === 'RequestResponse')).toEqual([]);
  const half = Math.ceil(total / pieceLength / 2) * pieceLength;
  expect(input).toEqual({
    build: sfn.calls[0].name,
    source: { kind: 'folder', bucket: 'media', prefix: 'large/set/', manifest: events[0].payload.manifest, size: total },
    pieceLength,
    segments: [
      { index: 0, start: 0, end: half },
      { index: 1, start: half, end: total },
    ],
  });
  expect(answers).toEqual([
    { index: 0, pieces: half / pieceLength },
    { index: 1, pieces: Math.ceil((total - half) / pieceLength) },
  ]);

  // The progress marker in the cache bucket says done.
  const { services } = rt.app;
  const target = servedObject(services.config.buckets, 'media', 'large/set/');
  const id = services.folders.snapshotId(target, await services.folders.manifest(target));
  expect(await services.lambdaJobs!.status(id)).toEqual(expect.objectContaining({ state: 'done', bytesDone: total, bytesTotal: total }));
});

test('stub Lambda: a folder over SYNC_GENERATE_MAX_BYTES whose plan is one segment is built by one generateFolder invocation, no execution', async () => {
  const executions = sfn.calls.length;
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
    executions: sfn.calls.length,
  }).toEqual({ first: 202, status: 200, pieces: true, calls: [['Event', 'generateFolder']], executions });
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
    action: 'fanoutSegment',
    build: 'folder-build-1',
    source: { kind: 'folder', bucket: 'media', prefix: 'medium/set/', manifest: digest, size: total },
    pieceLength: choosePieceLength(total),
    segment: { index: 0, start: 0, end: 16 * KiB },
    ...over,
  });

  test.each<[string, () => Record<string, unknown>, string]>([
    ['a prefix without its "/"', () => generate({ prefix: 'medium/set' }), 'prefix (ending in "/") is required'],
    ['a manifest that is not a digest', () => generate({ manifest: 'abc' }), 'manifest must be the sha256 hex digest of a folder manifest'],
    ['a manifest that is not in the cache', () => generate({ manifest: 'f'.repeat(64) }), 'the manifest is not in the cache'],
    ["a size that is not the manifest's", () => generate({ size: total + 1 }), 'files and size do not match the manifest'],
    ['no size', () => generate({ size: undefined }), 'files and size are required'],
    ['a bucket the policy does not serve', () => generate({ bucket: 'other' }), 'bucket or key not served'],
    [
      'a segment off a piece boundary',
      () => segment({ segment: { index: 0, start: 1, end: 16 * KiB } }),
      'segment must be whole pieces inside the source (only the last may end short)',
    ],
    [
      "a segment past the folder's end",
      () => segment({ segment: { index: 0, start: 0, end: total + 1 } }),
      'segment must be whole pieces inside the source (only the last may end short)',
    ],
    ['another piece length', () => segment({ pieceLength: 32 * KiB }), `pieceLength must be ${16 * KiB} for ${1500 * KiB + 11} bytes`],
    ['no segment', () => segment({ segment: 'all' }), 'segment must be { index, start, end } of whole numbers'],
  ])('%s', async (_label, event, message) => {
    await expect(rt.app.handlers.generateHandler(event(), context)).rejects.toMatchObject({ statusCode: 400, code: 'InvalidEvent', message });
  });

  test('a well-formed segment event writes the SHA-1 pieces of that range of the concatenation to the cache bucket and answers their count', async () => {
    const out = await rt.app.handlers.generateHandler(segment({ segment: { index: 3, start: 16 * KiB, end: 48 * KiB } }), context);
    const stored = await rt.admin.send(new GetObjectCommand({ Bucket: 'torrent-cache', Key: segmentKey('torrents/', 'folder-build-1', 3) }));
    const digests = Buffer.from(await stored.Body!.transformToByteArray());
    expect({ out, same: digests.equals(expectedPieces(concat(MEDIUM).subarray(16 * KiB, 48 * KiB), 16 * KiB)) }).toEqual({
      out: { index: 3, pieces: 2 },
      same: true,
    });
  });
});

describe('local runtime: a large folder builds in this process after a 202, its segments through the fan-out handlers here', () => {
  let local: TestRuntime;
  beforeAll(async () => {
    local = await startTestRuntime({
      env: {
        SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
        SYNC_GENERATE_MAX_BYTES: String(MiB),
        READ_PART_BYTES: String(64 * KiB),
        ...FANOUT_ENV,
      },
    });
    for (const [path, bytes] of LARGE) await local.put('media', `large/set/${path}`, bytes);
  });
  afterAll(() => local?.stop());

  test('answers 202 with progress, then a torrent whose pieces are SHA-1 of the concatenation, joined from 2 segments', async () => {
    local.s3Calls.commands.length = 0;
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
      segmentsDeleted: local.s3Calls.commands.filter((c) => c === 'DeleteObjectCommand torrent-cache').length,
    }).toEqual({ first: 202, code: 'TorrentPending', total, status: 200, pieces: true, segmentsDeleted: 2 });
  });
});
