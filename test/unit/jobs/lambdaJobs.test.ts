import type { S3Client } from '@aws-sdk/client-s3';
import { noCache, type CacheIdentity } from '../../../lambda/torrents/cache/torrentCache';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaJobs } from '../../../lambda/jobs/lambdaJobs';
import { createLogger } from '../../../lambda/observability/logger';
import type { TorrentBuilds } from '../../../lambda/torrents/torrentBuilds';

const id: CacheIdentity = { bucket: 'b', key: 'k', etag: '"e"', size: 10, pieceLength: 16384, name: 'k' };
const failingS3 = (err: Error) => ({ send: async () => Promise.reject(err) }) as unknown as S3Client;
// status() reads only the marker: the Lambda client and the builds are never used here.
const jobs = (s3: S3Client) =>
  new LambdaJobs({
    s3,
    cache: noCache,
    cacheBucket: 'cache',
    cachePrefix: 'torrents/',
    lambda: {} as LambdaClient,
    functionName: 'gen',
    builds: {} as TorrentBuilds,
  });

describe('lambdaJobs.status (fake S3 client: throttling is what no local server produces)', () => {
  test('reads a missing marker as "no build started"', async () => {
    const notFound = Object.assign(new Error('nf'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    await expect(jobs(failingS3(notFound)).status(id)).resolves.toBeUndefined();
  });

  test('passes a throttled marker read on instead of reporting no build (which would start a second one)', async () => {
    const slowDown = Object.assign(new Error('slow'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    await expect(jobs(failingS3(slowDown)).status(id)).rejects.toBe(slowDown);
  });
});

describe('lambdaJobs markers of a build handed to the state machine (fake S3 client recording the marker writes)', () => {
  const recording = () => {
    const puts: Array<{ Key: string; Body: string }> = [];
    const s3 = { send: async (c: { input: { Key: string; Body: string } }) => void puts.push({ Key: c.input.Key, Body: c.input.Body }) } as unknown as S3Client;
    return { puts, jobs: jobs(s3) };
  };

  test('writes a running marker carrying the execution deadline, at the key the pollers read', async () => {
    const { puts, jobs: j } = recording();
    await j.handedOff(id, 10, 2_000, 1_000);
    expect(puts.map((p) => ({ key: p.Key, marker: JSON.parse(p.Body) }))).toEqual([
      {
        key: expect.stringMatching(/^torrents\/pending\/.*\.json$/),
        marker: { state: 'running', bytesDone: 0, bytesTotal: 10, startedAt: 1_000, heartbeatAt: 1_000, deadlineAt: 2_000 },
      },
    ]);
  });

  test("writes the join's done marker (every byte) and the failed step's failed marker (its error code) at the same key", async () => {
    const { puts, jobs: j } = recording();
    const log = createLogger({ level: 'SILENT' });
    await j.handedOff(id, 10, 2_000, 1_000);
    await j.finished(id, 10, 'done', undefined, log);
    await j.finished(id, 10, 'failed', 'States.Timeout', log);
    expect(new Set(puts.map((p) => p.Key)).size).toBe(1);
    expect(puts.slice(1).map((p) => JSON.parse(p.Body))).toEqual([
      expect.objectContaining({ state: 'done', bytesDone: 10, bytesTotal: 10 }),
      expect.objectContaining({ state: 'failed', bytesDone: 0, bytesTotal: 10, error: 'States.Timeout' }),
    ]);
    expect(JSON.parse(puts[1].Body).deadlineAt).toBeUndefined();
  });

  test('a build that starts without a caller (a pre-build) writes its running marker at once, not after the first heartbeat', async () => {
    const { puts, jobs: j } = recording();
    const m = j.markers(id, 10, createLogger({ level: 'SILENT' }), () => 5_000);
    await m.started();
    m.onProgress(4); // within HEARTBEAT_MS of the start: no second write
    expect(puts.map((p) => JSON.parse(p.Body))).toEqual([{ state: 'running', bytesDone: 0, bytesTotal: 10, startedAt: 5_000, heartbeatAt: 5_000 }]);
  });
});
