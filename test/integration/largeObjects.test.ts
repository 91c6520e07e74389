/**
 * Objects too large to build within one request: 202 Accepted with progress
 * and Retry-After, the build finishing in the background, fan-out of very
 * large objects into segments, and one build per version however many
 * requests ask. Sizes are scaled down with SYNC_GENERATE_MAX_BYTES and
 * SEGMENT_BYTES so the same code paths run in seconds.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { startStubLambda, type StubLambda } from '../helpers/stubLambda';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import { noCache } from '../../lambda/torrents/cache/torrentCache';

const MiB = 1024 * 1024;
const big = randomBytes(9 * MiB + 12345);
const PL = choosePieceLength(big.length);

const poll = async (url: string, deadlineMs = 30_000) => {
  const seen: number[] = [];
  const started = Date.now();
  for (;;) {
    const res = await fetch(url);
    seen.push(res.status);
    if (res.status !== 202) return { res, seen };
    const body = (await res.json()) as { progress: { bytesTotal: number } };
    expect(body.progress.bytesTotal).toBe(big.length);
    if (Date.now() - started > deadlineMs) throw new Error(`still 202 after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('local runtime: large objects build in this process after a 202', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({
      env: {
        SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
        SYNC_GENERATE_MAX_BYTES: String(MiB),
        READ_PART_BYTES: String(MiB),
        SEGMENT_BYTES: String(3 * MiB),
      },
    });
    await rt.put('media', 'big.bin', big);
    await rt.put('media', 'medium.bin', big.subarray(0, 900 * 1024));
  });
  afterAll(() => rt?.stop());

  test('answers 202 TorrentPending with Retry-After and progress, then serves a torrent that verifies', async () => {
    const url = rt.link('media', 'big.bin').url;
    const first = await fetch(url);
    const body = await first.json();
    expect({ status: first.status, retry: Number(first.headers.get('retry-after')) > 0, body }).toEqual({
      status: 202,
      retry: true,
      body: {
        code: 'TorrentPending',
        message: expect.stringMatching(/^The torrent is being built \(.*\)\. Retry the same URL in \d+ s\.$/),
        progress: { bytesDone: expect.any(Number), bytesTotal: big.length, percent: expect.any(Number), etaSeconds: null, startedAt: expect.any(String) },
      },
    });
    const { res } = await poll(url);
    expect(res.status).toBe(200);
    const { info } = decodeTorrent(Buffer.from(await res.arrayBuffer()));
    expect((info.pieces as Buffer).equals(expectedPieces(big, PL))).toBe(true);
  });

  test('concurrent requests for one uncached version read the object once', async () => {
    rt.s3Calls.count = 0;
    rt.s3Calls.commands.length = 0;
    const url = rt.link('media', 'medium.bin').url;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => fetch(url).then(async (r) => ({ status: r.status, bytes: Buffer.from(await r.arrayBuffer()) }))),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.bytes.toString('hex'))).size).toBe(1);
    // 900 KiB in 1 MiB parts: one ranged GetObject in all, however many asked.
    expect(rt.s3Calls.commands.filter((c) => c === 'GetObjectCommand media')).toHaveLength(1);
  });
});

describe('local runtime: a request whose cache read misses just after a build finished', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    // A cache that never answers stands for the moment between a build's end and its entry being readable.
    rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) }, deps: { cache: noCache } });
    await rt.put('media', 'raced.bin', big.subarray(0, 300_000));
  });
  afterAll(() => rt?.stop());

  test('joins the finished build instead of reading the object a second time', async () => {
    rt.s3Calls.commands.length = 0;
    const url = rt.link('media', 'raced.bin').url;
    const [a, b] = [await fetch(url), await fetch(url)];
    const [ab, bb] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
    expect({ statuses: [a.status, b.status], same: ab.equals(bb) }).toEqual({ statuses: [200, 200], same: true });
    expect(rt.s3Calls.commands.filter((c) => c === 'GetObjectCommand media')).toHaveLength(1);
  });
});

describe('AWS mode (stub Lambda API): background builds and fan-out run in the generate function', () => {
  let rt: TestRuntime;
  let lambda: StubLambda;
  beforeAll(async () => {
    lambda = await startStubLambda(() => (payload) => rt.app.handlers.generateHandler(payload, { awsRequestId: 'stub' } as Context));
    rt = await startTestRuntime({
      env: {
        SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
        SYNC_GENERATE_MAX_BYTES: String(MiB),
        READ_PART_BYTES: String(MiB),
        SEGMENT_BYTES: String(2 * MiB),
        ASYNC_FUNCTION_NAME: 'proxy-generate',
      },
      deps: { lambdaEndpoint: lambda.endpoint },
    });
    await rt.put('media', 'big.bin', big);
  });
  afterAll(async () => {
    await lambda?.idle();
    await rt?.stop();
    await lambda?.close();
  });

  test('stub Lambda: a 202 starts one signed Event invocation, which fans out into signed segment invocations and caches a torrent that verifies', async () => {
    const url = rt.link('media', 'big.bin').url;
    const first = await fetch(url);
    expect(first.status).toBe(202);
    await first.arrayBuffer();
    const second = await fetch(url); // while running: no second build
    await second.arrayBuffer();
    await lambda.idle();
    const { res } = await poll(url);
    expect({ status: res.status, source: res.headers.get('x-torrent-source') }).toEqual({ status: 200, source: 'cache' });
    const { info } = decodeTorrent(Buffer.from(await res.arrayBuffer()));
    expect((info.pieces as Buffer).equals(expectedPieces(big, PL))).toBe(true);

    const events = lambda.calls.filter((c) => c.type === 'Event');
    const segments = lambda.calls.filter((c) => c.type === 'RequestResponse');
    expect(events).toEqual([
      {
        functionName: 'proxy-generate',
        type: 'Event',
        payload: { action: 'generate', bucket: 'media', key: 'big.bin', etag: expect.any(String), size: big.length, lastModified: expect.any(Number) },
        signed: true,
      },
    ]);
    // 9.01 MiB in 2 MiB segments: five segment invocations, piece-aligned, covering the object exactly.
    expect(segments.map((c) => (c.payload as { segment: { start: number; end: number } }).segment)).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ start: i * 2 * MiB, end: Math.min(big.length, (i + 1) * 2 * MiB) })),
    );
    expect(segments.every((c) => c.signed && c.payload.action === 'hashSegment')).toBe(true);
  });

  test('stub Lambda: the generate function refuses a bucket the policy does not serve', async () => {
    await expect(rt.app.handlers.generateHandler({ action: 'generate', bucket: 'other', key: 'x.bin' }, { awsRequestId: 'stub' } as Context)).rejects.toThrow(
      'bucket or key not served',
    );
  });
});
