import { classifyS3Error } from '../s3/classifyS3Error';
import { HttpError } from './HttpError';

/**
 * The answer a caller gets for a failed S3 call. Messages are ours, never
 * the store's text; the original error rides along as `cause` for the logs.
 */
export const s3ErrorToHttp = (err: unknown): HttpError => {
  if (err instanceof HttpError) return err;
  const info = classifyS3Error(err);
  const opts = { cause: err };
  switch (info.kind) {
    case 'notFound':
      return info.code === 'NoSuchBucket'
        ? new HttpError(404, 'NoSuchBucket', 'The bucket does not exist.', opts)
        : new HttpError(404, 'NoSuchKey', 'The object does not exist.', opts);
    case 'accessDenied':
      return new HttpError(
        403,
        'AccessDenied',
        'The proxy may not read this object (access denied, or the bucket is not owned by the expected account).',
        opts,
      );
    case 'throttled':
      return new HttpError(503, 'SlowDown', 'The storage service is busy; retry later.', { ...opts, headers: { 'Retry-After': '2' } });
    case 'timeout':
      return new HttpError(504, 'UpstreamTimeout', 'The storage service did not answer in time.', opts);
    case 'preconditionFailed':
      return new HttpError(503, 'ObjectChanged', 'The object changed while its torrent was being built; retry.', { ...opts, headers: { 'Retry-After': '1' } });
    default:
      return new HttpError(502, 'UpstreamError', 'The storage service returned an unexpected answer.', opts);
  }
};
