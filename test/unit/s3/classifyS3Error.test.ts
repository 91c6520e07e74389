import { classifyS3Error, type S3ErrorInfo } from '../../../lambda/s3/classifyS3Error';

/** An error shaped like the AWS SDK v3 throws for S3 (name, Code, $metadata). */
const sdkError = (fields: { name?: string; Code?: string; code?: string; status?: number; responseStatus?: number }) =>
  Object.assign(new Error('upstream said something'), {
    ...(fields.name !== undefined && { name: fields.name }),
    ...(fields.Code !== undefined && { Code: fields.Code }),
    ...(fields.code !== undefined && { code: fields.code }),
    ...(fields.status !== undefined && { $metadata: { httpStatusCode: fields.status } }),
    ...(fields.responseStatus !== undefined && { $response: { statusCode: fields.responseStatus } }),
  });

describe('classifyS3Error', () => {
  test.each<[string, unknown, S3ErrorInfo]>([
    ['NoSuchKey', sdkError({ name: 'NoSuchKey', status: 404 }), { kind: 'notFound', code: 'NoSuchKey', status: 404 }],
    ['NoSuchBucket', sdkError({ name: 'NoSuchBucket', status: 404 }), { kind: 'notFound', code: 'NoSuchBucket', status: 404 }],
    ['a HEAD 404 (no error body)', sdkError({ name: 'NotFound', status: 404 }), { kind: 'notFound', code: 'NotFound', status: 404 }],
    ['a bare 404', sdkError({ name: 'Error', status: 404 }), { kind: 'notFound', code: 'Error', status: 404 }],
    ['AccessDenied', sdkError({ name: 'AccessDenied', status: 403 }), { kind: 'accessDenied', code: 'AccessDenied', status: 403 }],
    ['a bare 403 (owner mismatch on HEAD)', sdkError({ name: '403', status: 403 }), { kind: 'accessDenied', code: '403', status: 403 }],
    ['SignatureDoesNotMatch', sdkError({ name: 'SignatureDoesNotMatch', status: 403 }), { kind: 'accessDenied', code: 'SignatureDoesNotMatch', status: 403 }],
    ['NotImplemented 501', sdkError({ name: 'NotImplemented', status: 501 }), { kind: 'notImplemented', code: 'NotImplemented', status: 501 }],
    ['MethodNotAllowed 405', sdkError({ name: 'MethodNotAllowed', status: 405 }), { kind: 'notImplemented', code: 'MethodNotAllowed', status: 405 }],
    ['a bare 405', sdkError({ name: 'Unknown', status: 405 }), { kind: 'notImplemented', code: 'Unknown', status: 405 }],
    ['InvalidRequest 400', sdkError({ name: 'InvalidRequest', status: 400 }), { kind: 'invalidRequest', code: 'InvalidRequest', status: 400 }],
    ['PreconditionFailed 412', sdkError({ name: 'PreconditionFailed', status: 412 }), { kind: 'preconditionFailed', code: 'PreconditionFailed', status: 412 }],
    ['a bare 412', sdkError({ name: 'Unknown', status: 412 }), { kind: 'preconditionFailed', code: 'Unknown', status: 412 }],
    ['InvalidRange 416', sdkError({ name: 'InvalidRange', status: 416 }), { kind: 'invalidRange', code: 'InvalidRange', status: 416 }],
    ['SlowDown 503', sdkError({ name: 'SlowDown', status: 503 }), { kind: 'throttled', code: 'SlowDown', status: 503 }],
    ['a bare 503', sdkError({ name: 'Unknown', status: 503 }), { kind: 'throttled', code: 'Unknown', status: 503 }],
    ['a 429', sdkError({ name: 'TooManyRequests', status: 429 }), { kind: 'throttled', code: 'TooManyRequests', status: 429 }],
    ['the SDK TimeoutError', sdkError({ name: 'TimeoutError' }), { kind: 'timeout', code: 'TimeoutError', status: undefined }],
    ['an AbortError', sdkError({ name: 'AbortError' }), { kind: 'timeout', code: 'AbortError', status: undefined }],
    ['a socket ETIMEDOUT', sdkError({ name: 'Error', code: 'ETIMEDOUT' }), { kind: 'timeout', code: 'Error', status: undefined }],
    [
      'an S3-compatible Code field over the name',
      sdkError({ name: 'S3ServiceException', Code: 'NoSuchKey', status: 404 }),
      { kind: 'notFound', code: 'NoSuchKey', status: 404 },
    ],
    ['a status only on $response', sdkError({ name: 'Unknown', responseStatus: 403 }), { kind: 'accessDenied', code: 'Unknown', status: 403 }],
    ['an unknown 500', sdkError({ name: 'InternalError', status: 500 }), { kind: 'unexpected', code: 'InternalError', status: 500 }],
    ['an unknown 400 without a code', { $metadata: { httpStatusCode: 400 } }, { kind: 'unexpected', code: 'Unknown', status: 400 }],
    ['undefined', undefined, { kind: 'unexpected', code: 'Unknown', status: undefined }],
    ['null', null, { kind: 'unexpected', code: 'Unknown', status: undefined }],
  ])('classifies %s', (_label, err, expected) => {
    expect(classifyS3Error(err)).toEqual(expected);
  });
});
