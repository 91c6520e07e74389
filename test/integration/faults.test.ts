/**
 * Fault injection between the proxy and S3 (issue #6): a fault proxy
 * (test/helpers/faultProxy.ts) sits in front of the embedded s3rver and
 * answers 500/503, resets or truncates bodies, sends short 206s and stalls.
 * The generator must resume ranged reads from the first byte it did not get,
 * never cache or serve a torrent it did not finish, and surface what it
 * cannot recover from as 502/503/504 (Retry-After where it fits). Every
 * torrent received is verified piece by piece against the object bytes.
 *
 * The SDK's own retries are off (S3_MAX_ATTEMPTS=1), so what is tested is
 * the proxy's retry/resume layer (lambda/s3/streamObjectRange.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { captureLogs, type CapturedLogs } from '../helpers/captureLogs';
import { EMBEDDED_CREDENTIALS, ensureBucket, s3ClientFor, startEmbeddedS3, type EmbeddedS3 } from '../../infra/local/embeddedS3';
import { LOCAL_CACHE_BUCKET } from '../../infra/local/startLocal';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { operation, parseRange, rangedGet, startFaultProxy, type FaultProxy } from '../helpers/faultProxy';

const BUCKET = 'media';
const PART = 64 * 1024; // READ_PART_BYTES below: four pieces of 16 KiB per ranged read
const PIECE = 16 * 1024;
const SIZE = 5 * PART + 1234; // six ranged parts, the last one short
const TIMEOUT_MS = 1000;
const SYNC_MAX = 400_000; // larger objects are built in the background (202 until done)

let dir: string;
let s3: EmbeddedS3;
let admin: S3Client;
let fp: FaultProxy;
let rt: TestRuntime;
const objects = new Map<string, Buffer>();
/** Log lines written while faults were injected, and every S3 request signature the proxy saw. */
let logLines: string[] = [];
const signatures = new Set<string>();
let captured: CapturedLogs | undefined;

/** A fresh object per test, so no test sees another's cache entry. */
const object = async (key: string, size = SIZE): Promise<Buffer> => {
  const bytes = randomBytes(size);
  await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
  objects.set(key, bytes);
  return bytes;
};

const getTorrent = async (key: string, url = rt.link(BUCKET, key).url) => {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    source: res.headers.get('x-torrent-source'),
    retryAfter: res.headers.get('retry-after'),
    type: res.headers.get('content-type'),
    body,
  };
};

/** The torrent's pieces are the SHA-1 of the object bytes, piece by piece. */
const verifies = (torrent: Buffer, bytes: Buffer): boolean => {
  const { info } = decodeTorrent(torrent);
  return info.length === bytes.length && info['piece length'] === PIECE && (info.pieces as Buffer).equals(expectedPieces(bytes, PIECE));
};

/** Ranged reads of `key` the proxy sent, as [start, end] pairs in order of arrival. */
const reads = (key: string) =>
  fp.log.filter(rangedGet(BUCKET, key)).map((r) => {
    const range = parseRange(r.range)!;
    return [range.start, range.end];
  });

const cacheWrites = () => fp.log.filter((r) => r.method === 'PUT' && r.bucket === LOCAL_CACHE_BUCKET).length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faults-'));
  s3 = await startEmbeddedS3({ port: 0, directory: join(dir, 's3') });
  admin = s3ClientFor(s3.endpoint);
  await ensureBucket(admin, BUCKET);
  await ensureBucket(admin, LOCAL_CACHE_BUCKET);
  fp = await startFaultProxy(s3.endpoint);
  // The runtime only sets the embedded server's credentials when it starts that server itself.
  process.env.AWS_ACCESS_KEY_ID = EMBEDDED_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_CREDENTIALS.secretAccessKey;
  rt = await startTestRuntime({
    s3Endpoint: fp.endpoint,
    env: {
      // A public swarm, so GetObjectTorrent is asked (a private one never forwards a store's torrent).
      SERVED_BUCKETS: bucketsEnv([{ name: BUCKET, swarm: 'public' }]),
      CACHE_BUCKET: LOCAL_CACHE_BUCKET,
      S3_MAX_ATTEMPTS: '1',
      // Ask GetObjectTorrent every time (s3rver answers 501), so its faults can be injected.
      STORE_SUPPORT_TTL_SECONDS: '0',
      S3_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      READ_PART_BYTES: String(PART),
      READ_CONCURRENCY: '2',
      SYNC_GENERATE_MAX_BYTES: String(SYNC_MAX),
    },
  });
  captured = captureLogs(rt.app.services.logger, 'DEBUG');
  logLines = captured.lines;
});

beforeEach(() => {
  fp.log.length = 0;
});

afterEach(() => {
  for (const r of fp.log) if (r.signature) signatures.add(r.signature);
});

afterEach(() => {
  fp.clear();
});

afterAll(async () => {
  captured?.restore();
  await rt?.stop();
  await fp?.close();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

const GENERIC_502 = { code: 'UpstreamError', message: 'The storage service returned an unexpected answer.' };

/**
 * Stalls: S3_REQUEST_TIMEOUT_MS bounds both the wait for response headers
 * (requestTimeout with throwOnRequestTimeout) and body idleness
 * (socketTimeout) in lambda/s3/createS3Client.ts; before that a stalled store
 * hung the request until the Lambda timed out.
 */
const stallTest = test;

describe('the generator resumes broken ranged reads, and the torrent verifies piece by piece', () => {
  test('a connection reset after 10,000 body bytes resumes at the first byte not received, pinned to the same ETag', async () => {
    const bytes = await object('reset.bin');
    fp.inject({ when: rangedGet(BUCKET, 'reset.bin', 2 * PART), fault: { kind: 'reset', afterBytes: 10_000 } });
    const res = await getTorrent('reset.bin');
    expect({ status: res.status, source: res.source, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, source: 'generated', verifies: true });
    expect(fp.fired().map((r) => ({ fault: r.fault, range: r.range, sent: r.bytesSent }))).toEqual([
      { fault: 'reset', range: `bytes=${2 * PART}-${3 * PART - 1}`, sent: 10_000 },
    ]);
    expect(reads('reset.bin').filter(([start]) => start! >= 2 * PART && start! < 3 * PART)).toEqual([
      [2 * PART, 3 * PART - 1],
      [2 * PART + 10_000, 3 * PART - 1],
    ]);
    const ifMatch = new Set(fp.log.filter(rangedGet(BUCKET, 'reset.bin')).map((r) => r.ifMatch));
    expect([...ifMatch]).toEqual([expect.stringMatching(/^"[0-9a-f]{32}"$/)]);
  });

  test('a body cut short of its Content-Length by a clean close resumes at the first missing byte', async () => {
    const bytes = await object('truncated.bin');
    fp.inject({ when: rangedGet(BUCKET, 'truncated.bin', PART), fault: { kind: 'truncate', afterBytes: 20_000 } });
    const res = await getTorrent('truncated.bin');
    expect({ status: res.status, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, verifies: true });
    expect(fp.fired().map((r) => r.bytesSent)).toEqual([20_000]);
    expect(reads('truncated.bin').filter(([start]) => start! >= PART && start! < 2 * PART)).toEqual([
      [PART, 2 * PART - 1],
      [PART + 20_000, 2 * PART - 1],
    ]);
  });

  test('a well-formed 206 shorter than the range asked for resumes at the first missing byte', async () => {
    const bytes = await object('short.bin');
    fp.inject({ when: rangedGet(BUCKET, 'short.bin', 0), fault: { kind: 'shortBody', bytes: 30_001 } });
    const res = await getTorrent('short.bin');
    expect({ status: res.status, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, verifies: true });
    expect(reads('short.bin').filter(([start]) => start! < PART)).toEqual([
      [0, PART - 1],
      [30_001, PART - 1],
    ]);
  });

  stallTest('a body that stalls past S3_REQUEST_TIMEOUT_MS is abandoned and resumed at the first byte not received', async () => {
    const bytes = await object('stall.bin');
    fp.inject({ when: rangedGet(BUCKET, 'stall.bin', 3 * PART), fault: { kind: 'stall', afterBytes: 5000 } });
    const started = Date.now();
    const res = await getTorrent('stall.bin');
    expect({ status: res.status, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, verifies: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(reads('stall.bin').filter(([start]) => start! >= 3 * PART && start! < 4 * PART)).toEqual([
      [3 * PART, 4 * PART - 1],
      [3 * PART + 5000, 4 * PART - 1],
    ]);
  });

  stallTest('a ranged read that never answers is abandoned after S3_REQUEST_TIMEOUT_MS and retried', async () => {
    const bytes = await object('hang.bin');
    fp.inject({ when: rangedGet(BUCKET, 'hang.bin', PART), fault: { kind: 'hang' } });
    const res = await getTorrent('hang.bin');
    expect({ status: res.status, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, verifies: true });
    expect(reads('hang.bin').filter(([start]) => start === PART)).toHaveLength(2);
  });

  test('500 InternalError then 503 SlowDown on one ranged read are retried from the same offset', async () => {
    const bytes = await object('retry.bin');
    fp.inject({ when: rangedGet(BUCKET, 'retry.bin', 3 * PART), fault: { kind: 'status', status: 500, code: 'InternalError' } });
    fp.inject({ when: rangedGet(BUCKET, 'retry.bin', 3 * PART), fault: { kind: 'status', status: 503, code: 'SlowDown' } });
    const res = await getTorrent('retry.bin');
    expect({ status: res.status, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, verifies: true });
    expect(fp.fired().map((r) => [r.status, r.range])).toEqual([
      [500, `bytes=${3 * PART}-${4 * PART - 1}`],
      [503, `bytes=${3 * PART}-${4 * PART - 1}`],
    ]);
    expect(reads('retry.bin').filter(([start]) => start === 3 * PART)).toHaveLength(3);
  });

  test('faults on several parts at once (reset at byte 0, short body, 503, a cut on the short last part) still give a torrent that verifies', async () => {
    const bytes = await object('many.bin');
    fp.inject({ when: rangedGet(BUCKET, 'many.bin', 0), fault: { kind: 'reset', afterBytes: 0 } });
    fp.inject({ when: rangedGet(BUCKET, 'many.bin', PART), fault: { kind: 'shortBody', bytes: 1 } });
    fp.inject({ when: rangedGet(BUCKET, 'many.bin', 4 * PART), fault: { kind: 'status', status: 503, code: 'SlowDown' } });
    fp.inject({ when: rangedGet(BUCKET, 'many.bin', 5 * PART), fault: { kind: 'truncate', afterBytes: 1000 } });
    const res = await getTorrent('many.bin');
    expect({ status: res.status, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, verifies: true });
    expect(fp.fired()).toHaveLength(4);
    expect(reads('many.bin').filter(([start]) => start === PART + 1 || start === 5 * PART + 1000)).toEqual(
      expect.arrayContaining([
        [PART + 1, 2 * PART - 1],
        [5 * PART + 1000, SIZE - 1],
      ]),
    );
  });

  /**
   * A store or proxy that ignores Range answers 200 with the whole object.
   * lambda/s3/readObjectRange.ts refuses any ranged answer that is not 206 with
   * a Content-Range starting at the requested offset (or an exact whole-object
   * 200), so those bytes are never hashed as the part's.
   */
  test('a store that ignores Range (200 with the whole object) never leads to a torrent built from the wrong bytes', async () => {
    const bytes = await object('no-range.bin');
    fp.inject({ when: rangedGet(BUCKET, 'no-range.bin', 2 * PART), fault: { kind: 'ignoreRange' } });
    const url = rt.link(BUCKET, 'no-range.bin').url;
    const first = await getTorrent('no-range.bin', url);
    expect(fp.fired().map((r) => r.status)).toEqual([200]);
    // Refusing the body (502) and retrying the part (200) are both right; a torrent of the wrong bytes is not.
    expect(first.status === 200 ? { status: 200, verifies: verifies(first.body, bytes) } : { status: first.status, cached: cacheWrites() }).toEqual(
      first.status === 200 ? { status: 200, verifies: true } : { status: 502, cached: 0 },
    );
    const again = await getTorrent('no-range.bin', url);
    expect({ status: again.status, verifies: verifies(again.body, bytes) }).toEqual({ status: 200, verifies: true });
  });

  test('the torrent cache failing (500 on its GET and PUT) is a miss: the torrent is built, verifies and is served', async () => {
    const bytes = await object('cache-down.bin');
    fp.inject({ when: (r) => r.bucket === LOCAL_CACHE_BUCKET, fault: { kind: 'status', status: 500, code: 'InternalError' }, times: Infinity });
    const res = await getTorrent('cache-down.bin');
    expect({ status: res.status, source: res.source, verifies: verifies(res.body, bytes) }).toEqual({ status: 200, source: 'generated', verifies: true });
    expect(fp.fired().filter((r) => r.key.includes('cache-down')).length).toBe(0);
    expect(
      fp
        .fired()
        .map((r) => r.method)
        .sort(),
    ).toEqual(['GET', 'PUT']);
  });
});

describe('what cannot be recovered answers 502/503/504 and is never cached', () => {
  /** Fails every read of part 1 of `key` with `fault`, checks the answer, then clears the fault and checks nothing was cached. */
  const failThenRecover = async (key: string, fault: Parameters<FaultProxy['inject']>[0]['fault']) => {
    const bytes = await object(key);
    const writesBefore = cacheWrites();
    fp.inject({ when: rangedGet(BUCKET, key, PART, 2 * PART), fault, times: Infinity });
    const failed = await getTorrent(key);
    const attempts = reads(key).filter(([start]) => start! >= PART && start! < 2 * PART).length;
    const writesAfterFailure = cacheWrites();
    fp.clear();
    const link = rt.link(BUCKET, key).url;
    const second = await getTorrent(key, link);
    const third = await getTorrent(key, link);
    expect({
      cachedAfterFailure: writesAfterFailure - writesBefore,
      second: { status: second.status, source: second.source, verifies: verifies(second.body, bytes) },
      third: { status: third.status, source: third.source, sameBytes: third.body.equals(second.body) },
    }).toEqual({
      cachedAfterFailure: 0,
      second: { status: 200, source: 'generated', verifies: true },
      third: { status: 200, source: 'cache', sameBytes: true },
    });
    return { ...failed, json: JSON.parse(failed.body.toString()), attempts };
  };

  test('a ranged read that keeps answering 500 gives 502 UpstreamError after 5 attempts, with nothing from upstream in the body', async () => {
    const failed = await failThenRecover('keeps-500.bin', { kind: 'status', status: 500, code: 'InternalError' });
    expect({ status: failed.status, type: failed.type, json: failed.json, attempts: failed.attempts }).toEqual({
      status: 502,
      type: 'application/json; charset=utf-8',
      json: GENERIC_502,
      attempts: 5,
    });
    expect(failed.body.toString()).not.toContain('injected');
  });

  test('a ranged read that keeps answering 503 SlowDown gives 503 SlowDown with Retry-After', async () => {
    const failed = await failThenRecover('keeps-503.bin', { kind: 'status', status: 503, code: 'SlowDown' });
    expect({ status: failed.status, retryAfter: failed.retryAfter, json: failed.json, attempts: failed.attempts }).toEqual({
      status: 503,
      retryAfter: '2',
      json: { code: 'SlowDown', message: 'The storage service is busy; retry later.' },
      attempts: 5,
    });
  });

  test('a ranged read whose connection keeps resetting mid-body gives 502, each attempt resuming further on', async () => {
    const failed = await failThenRecover('keeps-reset.bin', { kind: 'reset', afterBytes: 4000 });
    expect({ status: failed.status, json: failed.json, attempts: failed.attempts }).toEqual({ status: 502, json: GENERIC_502, attempts: 5 });
    const starts = fp.log
      .filter(rangedGet(BUCKET, 'keeps-reset.bin'))
      .filter((r) => r.fault)
      .map((r) => parseRange(r.range)!.start);
    expect(starts).toEqual([0, 1, 2, 3, 4].map((i) => PART + i * 4000));
  });

  stallTest(
    'a ranged read that keeps stalling gives 504 UpstreamTimeout',
    async () => {
      const failed = await failThenRecover('keeps-stalling.bin', { kind: 'stall', afterBytes: 100 });
      expect({ status: failed.status, json: failed.json }).toEqual({
        status: 504,
        json: { code: 'UpstreamTimeout', message: 'The storage service did not answer in time.' },
      });
    },
    20_000,
  );

  test('a 403 AccessDenied on a ranged read is not retried: 403 AccessDenied after one attempt', async () => {
    const failed = await failThenRecover('denied.bin', { kind: 'status', status: 403, code: 'AccessDenied' });
    expect({ status: failed.status, code: failed.json.code, attempts: failed.attempts }).toEqual({ status: 403, code: 'AccessDenied', attempts: 1 });
  });

  test('a 412 PreconditionFailed (the object changed mid-build) is not retried: 503 ObjectChanged with Retry-After', async () => {
    const failed = await failThenRecover('changed.bin', { kind: 'status', status: 412, code: 'PreconditionFailed' });
    expect({ status: failed.status, retryAfter: failed.retryAfter, code: failed.json.code, attempts: failed.attempts }).toEqual({
      status: 503,
      retryAfter: '1',
      code: 'ObjectChanged',
      attempts: 1,
    });
  });

  test('concurrent requests during a failing build share one build, all get 502, and none gets a partial torrent', async () => {
    await object('shared.bin');
    fp.inject({ when: rangedGet(BUCKET, 'shared.bin', 2 * PART), fault: { kind: 'status', status: 500, code: 'InternalError' }, times: Infinity });
    const answers = await Promise.all([1, 2, 3].map(() => getTorrent('shared.bin')));
    expect(answers.map((a) => ({ status: a.status, type: a.type }))).toEqual(answers.map(() => ({ status: 502, type: 'application/json; charset=utf-8' })));
    expect(reads('shared.bin').filter(([start]) => start === 2 * PART)).toHaveLength(5);
  });
});

describe('background builds (objects over SYNC_GENERATE_MAX_BYTES)', () => {
  const until = async (what: () => boolean | Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  test('a background build that fails answers only 202 TorrentPending meanwhile, caches nothing, and once S3 recovers serves a torrent that verifies', async () => {
    const bytes = await object('background.bin', 8 * PART + 77);
    fp.inject({
      when: rangedGet(BUCKET, 'background.bin', 3 * PART, 4 * PART),
      fault: { kind: 'status', status: 500, code: 'InternalError' },
      times: Infinity,
    });
    const url = rt.link(BUCKET, 'background.bin').url;
    const first = await getTorrent('background.bin', url);
    expect({ status: first.status, code: JSON.parse(first.body.toString()).code, retry: Number(first.retryAfter) > 0 }).toEqual({
      status: 202,
      code: 'TorrentPending',
      retry: true,
    });
    // The build gives up after five attempts at the failing part.
    await until(() => fp.fired().length >= 5);
    await new Promise((r) => setTimeout(r, 100));
    const during = await getTorrent('background.bin', url);
    expect({ status: during.status, code: JSON.parse(during.body.toString()).code, cached: cacheWrites() }).toEqual({
      status: 202,
      code: 'TorrentPending',
      cached: 0,
    });
    fp.clear();
    let done = during;
    await until(async () => {
      done = await getTorrent('background.bin', url);
      if (done.status !== 200 && done.status !== 202) throw new Error(`unexpected ${done.status}`);
      return done.status === 200;
    });
    expect({ type: done.type, verifies: verifies(done.body, bytes), cached: cacheWrites() }).toEqual({
      type: 'application/x-bittorrent',
      verifies: true,
      cached: 1,
    });
  }, 20_000);
});

describe('failures before any body (SDK retries off) map to 502/503/504', () => {
  test('GetObjectTorrent answering 503 SlowDown gives 503 SlowDown with Retry-After, and builds nothing', async () => {
    await object('torrent-503.bin', 1000);
    fp.inject({ when: operation('torrent', BUCKET, 'torrent-503.bin'), fault: { kind: 'status', status: 503, code: 'SlowDown' } });
    const res = await getTorrent('torrent-503.bin');
    expect({ status: res.status, retryAfter: res.retryAfter, json: JSON.parse(res.body.toString()) }).toEqual({
      status: 503,
      retryAfter: '2',
      json: { code: 'SlowDown', message: 'The storage service is busy; retry later.' },
    });
    expect(fp.log.filter(rangedGet(BUCKET, 'torrent-503.bin'))).toEqual([]);
    expect(cacheWrites()).toBe(0);
  });

  test('HeadObject answering 500 gives 502 with a generic body', async () => {
    await object('head-500.bin', 1000);
    fp.inject({ when: operation('head', BUCKET, 'head-500.bin'), fault: { kind: 'status', status: 500, code: 'InternalError' } });
    const res = await getTorrent('head-500.bin');
    expect({ status: res.status, json: JSON.parse(res.body.toString()) }).toEqual({ status: 502, json: GENERIC_502 });
  });

  test('HeadObject answering 503 gives 503 with Retry-After', async () => {
    await object('head-503.bin', 1000);
    fp.inject({ when: operation('head', BUCKET, 'head-503.bin'), fault: { kind: 'status', status: 503, code: 'SlowDown' } });
    const res = await getTorrent('head-503.bin');
    expect({ status: res.status, retryAfter: res.retryAfter }).toEqual({ status: 503, retryAfter: '2' });
  });

  stallTest('HeadObject that never answers gives 504 UpstreamTimeout', async () => {
    await object('head-hang.bin', 1000);
    fp.inject({ when: operation('head', BUCKET, 'head-hang.bin'), fault: { kind: 'hang' } });
    const res = await getTorrent('head-hang.bin');
    expect({ status: res.status, json: JSON.parse(res.body.toString()) }).toEqual({
      status: 504,
      json: { code: 'UpstreamTimeout', message: 'The storage service did not answer in time.' },
    });
  });
});

describe('the seed route (proxy mode) under faults', () => {
  const seed = (key: string, range: string) => fetch(rt.link(BUCKET, key).seedUrl, { headers: { Range: range } });

  test('GetObject answering 503 SlowDown gives 503 JSON with Retry-After', async () => {
    await object('seed-503.bin', 1000);
    fp.inject({ when: operation('get', BUCKET, 'seed-503.bin'), fault: { kind: 'status', status: 503, code: 'SlowDown' } });
    const res = await seed('seed-503.bin', 'bytes=0-99');
    expect({ status: res.status, retryAfter: res.headers.get('retry-after'), json: await res.json() }).toEqual({
      status: 503,
      retryAfter: '2',
      json: { code: 'SlowDown', message: 'The storage service is busy; retry later.' },
    });
  });

  stallTest('GetObject that never answers gives 504 UpstreamTimeout', async () => {
    await object('seed-hang.bin', 1000);
    fp.inject({ when: operation('get', BUCKET, 'seed-hang.bin'), fault: { kind: 'hang' } });
    const res = await seed('seed-hang.bin', 'bytes=0-99');
    expect({ status: res.status, json: await res.json() }).toEqual({
      status: 504,
      json: { code: 'UpstreamTimeout', message: 'The storage service did not answer in time.' },
    });
  });

  test('a body reset mid-way reaches the client as a broken transfer, never as a complete short body; the next request is whole', async () => {
    const bytes = await object('seed-reset.bin', 200_000);
    fp.inject({ when: operation('get', BUCKET, 'seed-reset.bin'), fault: { kind: 'reset', afterBytes: 50_000 } });
    const broken = await seed('seed-reset.bin', 'bytes=0-149999');
    const declared = Number(broken.headers.get('content-length'));
    const outcome = await broken.arrayBuffer().then(
      (b) => (b.byteLength === declared ? 'complete' : 'short'),
      () => 'error',
    );
    expect({ status: broken.status, declared, outcome }).toEqual({ status: 206, declared: 150_000, outcome: 'error' });
    const whole = await seed('seed-reset.bin', 'bytes=0-149999');
    const body = Buffer.from(await whole.arrayBuffer());
    expect({ status: whole.status, same: body.equals(bytes.subarray(0, 150_000)) }).toEqual({ status: 206, same: true });
  });
});

describe('logs written while S3 failed', () => {
  test('carry the failures (resumes, upstream errors) but no S3 request signature, credential or link signature', () => {
    const all = logLines.join('\n');
    const messages = new Set(logLines.map((l) => (JSON.parse(l) as { message: string }).message));
    expect([...messages]).toEqual(expect.arrayContaining(['ranged read failed; resuming', 'upstream failure']));
    expect(signatures.size).toBeGreaterThan(50);
    const leaked = [...signatures].filter((sig) => all.includes(sig));
    expect({
      leaked,
      authorization: /AWS4-HMAC-SHA256|Signature=[0-9a-f]/.test(all),
      secretKey: all.includes(`Credential=${EMBEDDED_CREDENTIALS.accessKeyId}`) || all.includes(EMBEDDED_CREDENTIALS.secretAccessKey),
      linkSig: /[?&]sig=[\w-]{43}/.test(all),
    }).toEqual({ leaked: [], authorization: false, secretKey: false, linkSig: false });
  });
});
