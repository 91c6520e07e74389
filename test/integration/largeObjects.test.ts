/**
 * Objects too large to build within one request: 202 Accepted with progress
 * and Retry-After, the build finishing in the background, the fan-out of
 * builds of more than one segment (locally in this process; in AWS on the
 * build state machine), and one build per version however many requests
 * ask. Sizes are scaled down with SYNC_GENERATE_MAX_BYTES, SEGMENT_BYTES
 * and FANOUT_BYTES_PER_SECOND (10,486 B/s × 900 s / 3: segments of at most
 * 3 MiB) so the same code paths run in seconds.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { startStubLambda, type StubLambda } from '../helpers/stubLambda';
import { runMap, startStubStepFunctions, type StubStepFunctions } from '../helpers/stubStepFunctions';
import { modelFor } from '../../lambda/fanout/fanoutModel';
import { segmentPlan } from '../../lambda/fanout/segmentPlan';
import { choosePieceLength } from '../../lambda/metainfo/choosePieceLength';
import { servedObject } from '../../lambda/policy/servedObject';
import { headObject } from '../../lambda/s3/headObject';
import { noCache } from '../../lambda/torrents/cache/torrentCache';
import { generateInfo } from '../../lambda/torrents/generateInfo';
import { torrentIdentity } from '../../lambda/torrents/torrentIdentity';

const MiB = 1024 * 1024;
const big = randomBytes(9 * MiB + 12345);
const PL = choosePieceLength(big.length);
/** Segments of at most 3 MiB (the model's limit at this throughput), none under 1 MiB: `big` is 4 segments. */
const FANOUT_ENV = { FANOUT_BYTES_PER_SECOND: '10486', SEGMENT_BYTES: String(MiB) };

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

describe('local runtime: large objects build in this process after a 202, fanned out by the plan through the fan-out handlers', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({
      env: {
        SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
        SYNC_GENERATE_MAX_BYTES: String(MiB),
        READ_PART_BYTES: String(MiB),
        ...FANOUT_ENV,
      },
    });
    await rt.put('media', 'big.bin', big);
    await rt.put('media', 'medium.bin', big.subarray(0, 900 * 1024));
  });
  afterAll(() => rt?.stop());

  test('answers 202 TorrentPending with Retry-After and progress, then serves a torrent that verifies, its 4 segments joined through the cache bucket', async () => {
    rt.s3Calls.commands.length = 0;
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
    // localFanout: each segment's digests written to the cache bucket, read by the join, then deleted.
    const cacheCalls = (command: string) => rt.s3Calls.commands.filter((c) => c === `${command} torrent-cache`).length;
    expect({ deleted: cacheCalls('DeleteObjectCommand'), written: cacheCalls('PutObjectCommand') }).toEqual({ deleted: 4, written: 4 + 1 });
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

describe('AWS mode (stub Lambda API, stub Step Functions API): builds of more than one segment run on the build state machine', () => {
  const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789000:stateMachine:proxy-build';
  const context = { awsRequestId: 'stub' } as Context;
  let rt: TestRuntime;
  let lambda: StubLambda;
  let sfn: StubStepFunctions;
  const generate = (event: unknown) => rt.app.handlers.generateHandler(event, context);
  beforeAll(async () => {
    lambda = await startStubLambda(() => (payload) => generate(payload));
    sfn = await startStubStepFunctions();
    rt = await startTestRuntime({
      env: {
        SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
        SYNC_GENERATE_MAX_BYTES: String(MiB),
        READ_PART_BYTES: String(MiB),
        ASYNC_FUNCTION_NAME: 'proxy-generate',
        BUILD_STATE_MACHINE_ARN: STATE_MACHINE,
        ...FANOUT_ENV,
      },
      deps: { lambdaEndpoint: lambda.endpoint, sfnEndpoint: sfn.endpoint },
    });
    await rt.put('media', 'big.bin', big);
    await rt.put('media', 'doomed.bin', big.subarray(0, 3 * MiB + 5000));
    await rt.put('media', 'one-segment.bin', big.subarray(0, 1.5 * MiB));
  });
  afterAll(async () => {
    await lambda?.idle();
    await rt?.stop();
    await lambda?.close();
    await sfn?.close();
  });

  test("stub Step Functions API: the generate function starts one execution with the plan and returns; the Map's segment steps and the join, run here, cache the single-pass torrent", async () => {
    const url = rt.link('media', 'big.bin').url;
    const first = await fetch(url);
    await first.arrayBuffer();
    await lambda.idle();
    const { services } = rt.app;
    const target = servedObject(services.config.buckets, 'media', 'big.bin');
    const head = await headObject(services.s3, target.ref);
    const id = torrentIdentity('media', 'big.bin', head, true);

    // The generate function has returned: one Event invocation, one StartExecution, no invocation waiting on another.
    expect(lambda.calls.map((c) => [c.type, c.payload.action, c.signed])).toEqual([['Event', 'generate', true]]);
    const plan = segmentPlan(big.length, PL, modelFor(services.config)!);
    expect(plan.segments).toHaveLength(4);
    expect(sfn.calls).toEqual([
      {
        stateMachineArn: STATE_MACHINE,
        name: expect.stringMatching(/^[0-9a-f]{40}-\d{13}$/),
        input: {
          build: sfn.calls[0]?.name,
          source: { kind: 'object', bucket: 'media', key: 'big.bin', etag: head.etag, size: big.length, lastModified: head.lastModified?.getTime() },
          pieceLength: PL,
          segments: plan.segments,
        },
        signed: true,
      },
    ]);
    // While the execution runs, its marker is alive until the execution's deadline (no heartbeat comes): no second build.
    const marker = await services.lambdaJobs!.status(id);
    expect(marker).toEqual(expect.objectContaining({ state: 'running', bytesTotal: big.length, deadlineAt: marker!.startedAt + 4 * 3600 * 1000 }));
    const pending = await fetch(url);
    await pending.arrayBuffer();
    await lambda.idle();
    expect({ status: pending.status, invocations: lambda.calls.length, executions: sfn.calls.length }).toEqual({ status: 202, invocations: 1, executions: 1 });

    // The state machine's steps, as the Map and the join invoke the generate function.
    const { answers, joined } = await runMap(sfn.calls[0].input, generate);
    expect(answers).toEqual(plan.segments.map((s) => ({ index: s.index, pieces: Math.ceil((s.end - s.start) / PL) })));

    const res = await fetch(url);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect({ status: res.status, source: res.headers.get('x-torrent-source') }).toEqual({ status: 200, source: 'cache' });
    const singlePass = await generateInfo(services.s3, target.ref, head, {
      pieceLength: PL,
      name: id.name,
      private: true,
      concurrency: 2,
      partBytes: MiB,
      pool: services.pool,
    });
    expect((await services.builds.cached(id, services.logger))?.equals(singlePass)).toBe(true);
    expect((decodeTorrent(bytes).info.pieces as Buffer).equals(expectedPieces(big, PL))).toBe(true);
    expect(joined).toEqual({ infoHash: expect.stringMatching(/^[0-9a-f]{40}$/), pieces: Math.ceil(big.length / PL) });
    expect(await services.lambdaJobs!.status(id)).toEqual(expect.objectContaining({ state: 'done', bytesDone: big.length }));

    // The same async event delivered again finds the cached torrent: no second execution, nothing hashed.
    await expect(generate(lambda.calls[0].payload)).resolves.toEqual({ infoHash: (joined as { infoHash: string }).infoHash });
    expect(sfn.calls).toHaveLength(1);
  });

  test('stub Step Functions API: the failed step marks the build failed, and a poller gets 503 until the back-off', async () => {
    const url = rt.link('media', 'doomed.bin').url;
    await (await fetch(url)).arrayBuffer();
    await lambda.idle();
    const started = sfn.calls.find((c) => (c.input.source as { key: string }).key === 'doomed.bin');
    expect(started?.input.segments).toHaveLength(2);
    await generate({ ...started!.input, action: 'fanoutFailed', error: { Error: 'States.Timeout', Cause: 'segment 1 timed out' } });
    const res = await fetch(url);
    expect({ status: res.status, body: await res.json(), retry: res.headers.get('retry-after') }).toEqual({
      status: 503,
      body: { code: 'TorrentBuildFailed', message: expect.any(String) },
      retry: '300',
    });
  });

  test('stub Lambda: an object whose plan is one segment is built inside the generate function, with no execution', async () => {
    const executions = sfn.calls.length;
    const url = rt.link('media', 'one-segment.bin').url;
    expect((await fetch(url)).status).toBe(202);
    await lambda.idle();
    const { res } = await poll(url);
    const { info } = decodeTorrent(Buffer.from(await res.arrayBuffer()));
    expect({
      status: res.status,
      executions: sfn.calls.length,
      pieces: (info.pieces as Buffer).equals(expectedPieces(big.subarray(0, 1.5 * MiB), PL)),
    }).toEqual({
      status: 200,
      executions,
      pieces: true,
    });
  });

  test('stub Lambda: the generate function refuses a bucket the policy does not serve, and fan-out steps for one', async () => {
    await expect(generate({ action: 'generate', bucket: 'other', key: 'x.bin' })).rejects.toThrow('bucket or key not served');
    const segment = { index: 0, start: 0, end: 16 * 1024 };
    const source = { kind: 'object', bucket: 'other', key: 'x.bin', etag: '"e"', size: 16 * 1024 };
    await expect(generate({ action: 'fanoutSegment', build: 'b-1', source, pieceLength: 16 * 1024, segment })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidEvent',
      message: 'bucket or key not served',
    });
  });

  test('stub Lambda: the generate function no longer answers the old synchronous segment actions', async () => {
    await expect(generate({ action: 'hashSegment', bucket: 'media', key: 'big.bin' })).rejects.toMatchObject({ statusCode: 400, message: 'unknown action' });
  });
});
