import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { cacheObjectKey, type CacheIdentity } from '../torrents/cache/torrentCache';
import { invokeLambda } from '../aws/invokeLambda';
import { logger } from '../observability/logger';
import { classifyS3Error } from '../s3/classifyS3Error';
import { freshProgress, type BackgroundJobs, type BuildRequest, type JobProgress } from './jobProgress';

export interface LambdaJobsOptions {
  s3: S3Client;
  cacheBucket: string;
  cachePrefix: string;
  expectedOwner?: string;
  region: string;
  /** The generate function, invoked asynchronously (InvocationType Event). */
  functionName: string;
  lambdaEndpoint?: string;
}

/** Marker objects live beside the cache entries (`<prefix>pending/...`), inside the granted prefix. */
const markerKey = (prefix: string, id: CacheIdentity) => cacheObjectKey(`${prefix}pending/`, id).replace(/\.torrent$/, '.json');

/**
 * Background builds in AWS: an Event invocation of the generate function,
 * with progress in a small JSON marker in the cache bucket that every
 * request can read (Lambda instances share nothing else).
 */
export const lambdaJobs = (o: LambdaJobsOptions): BackgroundJobs => {
  const put = (id: CacheIdentity, p: JobProgress) =>
    o.s3.send(
      new PutObjectCommand({
        Bucket: o.cacheBucket,
        Key: markerKey(o.cachePrefix, id),
        Body: JSON.stringify(p),
        ContentType: 'application/json',
        ExpectedBucketOwner: o.expectedOwner,
      }),
    );
  return {
    async status(id) {
      let text: string;
      try {
        const out = await o.s3.send(new GetObjectCommand({ Bucket: o.cacheBucket, Key: markerKey(o.cachePrefix, id), ExpectedBucketOwner: o.expectedOwner }));
        text = await out.Body!.transformToString();
      } catch (err) {
        // Only "no marker" means "no build": a throttled or failed read must not start a second one.
        if (classifyS3Error(err).kind === 'notFound') return undefined;
        throw err;
      }
      try {
        return JSON.parse(text) as JobProgress;
      } catch {
        return undefined; // a damaged marker: start again
      }
    },
    async start(req: BuildRequest) {
      const status = freshProgress(req.id.size);
      await put(req.id, status);
      await invokeLambda({
        region: o.region,
        functionName: o.functionName,
        type: 'Event',
        payload: { action: 'generate', bucket: req.bucket, key: req.key },
        endpoint: o.lambdaEndpoint,
      });
      logger.info('background build started', { bucket: req.bucket, key: req.key, bytes: req.id.size, function: o.functionName });
      return status;
    },
    async report(id, progress) {
      await put(id, progress);
    },
  };
};
