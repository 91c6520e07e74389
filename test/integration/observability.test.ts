/**
 * Structured logs and CloudWatch EMF metrics, captured from the logger's sink
 * while real requests go through the local runtime.
 */
import { randomBytes } from 'node:crypto';
import { captureLogs, type CapturedLogs } from '../helpers/captureLogs';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

let rt: TestRuntime;
let lines: string[] = [];
let captured: CapturedLogs | undefined;
const metricsSwitch = process.env.POWERTOOLS_METRICS_DISABLED;

beforeAll(async () => {
  // Metrics are on in this file: the app's one Metrics instance reads the switch when the app is composed.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) } });
  await rt.put('media', 'obs.bin', randomBytes(100_000));
  captured = captureLogs(rt.app.services.logger, 'INFO');
  lines = captured.lines;
});

afterAll(async () => {
  captured?.restore();
  process.env.POWERTOOLS_METRICS_DISABLED = metricsSwitch;
  await rt?.stop();
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const emf = () => parsed().filter((l) => l._aws);

test('every request logs one access line with a request id, route, status and duration', async () => {
  lines.length = 0;
  await (await fetch(rt.link('media', 'obs.bin').url)).arrayBuffer();
  await (await fetch(`${rt.baseUrl}/torrent/media/obs.bin`)).arrayBuffer();
  const access = parsed().filter((l) => l.message === 'request');
  expect(
    access.map((a) => ({ route: a.route, status: a.status, method: a.method, hasId: typeof a.requestId === 'string', hasMs: typeof a.ms === 'number' })),
  ).toEqual([
    { route: 'torrent', status: 200, method: 'GET', hasId: true, hasMs: true },
    { route: 'torrent', status: 401, method: 'GET', hasId: true, hasMs: true },
  ]);
});

test('emits EMF metrics for requests by status class, cache lookups, bytes hashed and generation time', async () => {
  lines.length = 0;
  await rt.put('media', 'obs2.bin', randomBytes(50_000));
  await (await fetch(rt.link('media', 'obs2.bin').url)).arrayBuffer(); // miss + build
  await (await fetch(rt.link('media', 'obs2.bin').url)).arrayBuffer(); // hit
  const metrics = emf().map((m) => {
    const def = (m._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0];
    return {
      ns: def.Namespace,
      dims: def.Dimensions[0],
      names: def.Metrics.map((x) => x.Name),
      values: Object.fromEntries(def.Metrics.map((x) => [x.Name, m[x.Name]])),
      dimValues: Object.fromEntries(def.Dimensions[0].map((d) => [d, m[d]])),
    };
  });
  expect(metrics).toEqual([
    { ns: 'S3TorrentProxy', dims: ['Cache'], names: ['CacheLookups'], values: { CacheLookups: 1 }, dimValues: { Cache: 'miss' } },
    {
      ns: 'S3TorrentProxy',
      dims: ['Event'],
      names: ['BytesHashed', 'GenerationTime'],
      values: { BytesHashed: 50_000, GenerationTime: expect.any(Number) },
      dimValues: { Event: 'generated' },
    },
    {
      ns: 'S3TorrentProxy',
      dims: ['Route', 'StatusClass'],
      names: ['Requests', 'Latency'],
      values: { Requests: 1, Latency: expect.any(Number) },
      dimValues: { Route: 'torrent', StatusClass: '2xx' },
    },
    { ns: 'S3TorrentProxy', dims: ['Cache'], names: ['CacheLookups'], values: { CacheLookups: 1 }, dimValues: { Cache: 'hit' } },
    {
      ns: 'S3TorrentProxy',
      dims: ['Route', 'StatusClass'],
      names: ['Requests', 'Latency'],
      values: { Requests: 1, Latency: expect.any(Number) },
      dimValues: { Route: 'torrent', StatusClass: '2xx' },
    },
  ]);
});

test('concurrent requests in one process: every log line carries the id of the request that wrote it', async () => {
  // Arrange: six objects, each built by its own request while the others run.
  const keys = Array.from({ length: 6 }, (_, i) => `concurrent-${i}.bin`);
  await Promise.all(keys.map((k, i) => rt.put('media', k, randomBytes(200_000 + i * 1000))));
  lines.length = 0;
  // Act
  await Promise.all(keys.map(async (k) => (await fetch(rt.link('media', k).url)).arrayBuffer()));
  // Assert: the build's own line ("torrent generated", naming the key) has the id of the access line for that key.
  const logs = parsed();
  const idOfAccess = (k: string) => logs.find((l) => l.message === 'request' && String(l.path).endsWith(`/${k}`))?.requestId;
  const idOfBuild = (k: string) => logs.find((l) => l.message === 'torrent generated' && l.key === k)?.requestId;
  const ids = keys.map(idOfAccess);
  expect(new Set(ids).size).toBe(keys.length);
  expect(keys.map(idOfBuild)).toEqual(ids);
});
