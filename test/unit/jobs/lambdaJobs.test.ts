import type { S3Client } from '@aws-sdk/client-s3';
import { noCache, type CacheIdentity } from '../../../lambda/torrents/cache/torrentCache';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaJobs } from '../../../lambda/jobs/lambdaJobs';
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
