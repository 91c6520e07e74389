/**
 * What went wrong with an S3 call, by shape rather than by SDK class, since
 * S3-compatible stores differ (ARCHITECTURE.md). The HTTP meaning is decided
 * in http/, not here.
 */
export type S3ErrorKind =
  | 'notFound' // NoSuchKey, NoSuchBucket, 404
  | 'accessDenied' // AccessDenied, owner mismatch, 403
  | 'notImplemented' // 501 NotImplemented, 405 MethodNotAllowed
  | 'invalidRequest' // 400 InvalidRequest (e.g. torrent of an object >= 5 GB)
  | 'preconditionFailed' // 412: object changed while we read it
  | 'invalidRange' // 416
  | 'throttled' // SlowDown, 503, 429
  | 'timeout' // client-side timeout or abort
  | 'unexpected';

export interface S3ErrorInfo {
  kind: S3ErrorKind;
  /** S3 error code (NoSuchKey) or SDK error name. */
  code: string;
  status?: number;
}

interface SdkLikeError {
  name?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'NoSuchVersion']);
const DENIED = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled', 'InvalidAccessKeyId', 'SignatureDoesNotMatch']);
const THROTTLED = new Set(['SlowDown', 'ServiceUnavailable', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests']);
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'AbortError', 'RequestTimeoutException']);
const TIMEOUT_NETWORK = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * @example
 * classifyS3Error(Object.assign(new Error(), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }))
 * // { kind: 'notFound', code: 'NoSuchKey', status: 404 }
 */
export const classifyS3Error = (err: unknown): S3ErrorInfo => {
  const e = (err ?? {}) as SdkLikeError;
  const code = e.Code ?? e.name ?? 'Unknown';
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const kind = ((): S3ErrorKind => {
    if (TIMEOUT.has(code) || (e.code !== undefined && TIMEOUT_NETWORK.has(e.code))) return 'timeout';
    if (NOT_FOUND.has(code) || status === 404) return 'notFound';
    if (DENIED.has(code) || status === 403) return 'accessDenied';
    if (code === 'NotImplemented' || code === 'MethodNotAllowed' || status === 501 || status === 405) return 'notImplemented';
    if (code === 'PreconditionFailed' || status === 412) return 'preconditionFailed';
    if (code === 'InvalidRange' || status === 416) return 'invalidRange';
    if (THROTTLED.has(code) || status === 503 || status === 429) return 'throttled';
    if (code === 'InvalidRequest' || (status === 400 && code !== 'Unknown')) return 'invalidRequest';
    return 'unexpected';
  })();
  return { kind, code, status };
};
