import { HttpError } from '../../../lambda/http/HttpError';
import { s3ErrorToHttp } from '../../../lambda/http/s3ErrorToHttp';

const UPSTREAM_TEXT = 'bucket arn:aws:s3:::secret-internal-name owned by 999999999999';
const sdkError = (name: string, status?: number) =>
  Object.assign(new Error(UPSTREAM_TEXT), { name, ...(status !== undefined && { $metadata: { httpStatusCode: status } }) });

const answer = (err: HttpError) => ({ statusCode: err.statusCode, code: err.code, message: err.message, headers: err.headers, expose: err.expose });

describe('s3ErrorToHttp', () => {
  test.each([
    ['NoSuchKey', sdkError('NoSuchKey', 404), { statusCode: 404, code: 'NoSuchKey', message: 'The object does not exist.', headers: {}, expose: true }],
    ['a bare 404', sdkError('NotFound', 404), { statusCode: 404, code: 'NoSuchKey', message: 'The object does not exist.', headers: {}, expose: true }],
    [
      'NoSuchBucket',
      sdkError('NoSuchBucket', 404),
      { statusCode: 404, code: 'NoSuchBucket', message: 'The bucket does not exist.', headers: {}, expose: true },
    ],
    [
      'AccessDenied',
      sdkError('AccessDenied', 403),
      {
        statusCode: 403,
        code: 'AccessDenied',
        message: 'The proxy may not read this object (access denied, or the bucket is not owned by the expected account).',
        headers: {},
        expose: true,
      },
    ],
    [
      'a bare 403',
      sdkError('403', 403),
      {
        statusCode: 403,
        code: 'AccessDenied',
        message: 'The proxy may not read this object (access denied, or the bucket is not owned by the expected account).',
        headers: {},
        expose: true,
      },
    ],
    [
      'SlowDown',
      sdkError('SlowDown', 503),
      { statusCode: 503, code: 'SlowDown', message: 'The storage service is busy; retry later.', headers: { 'Retry-After': '2' }, expose: false },
    ],
    [
      'a bare 503',
      sdkError('ServiceUnavailable', 503),
      { statusCode: 503, code: 'SlowDown', message: 'The storage service is busy; retry later.', headers: { 'Retry-After': '2' }, expose: false },
    ],
    [
      'TimeoutError',
      sdkError('TimeoutError'),
      { statusCode: 504, code: 'UpstreamTimeout', message: 'The storage service did not answer in time.', headers: {}, expose: false },
    ],
    [
      'a 412 while reading',
      sdkError('PreconditionFailed', 412),
      {
        statusCode: 503,
        code: 'ObjectChanged',
        message: 'The object changed while its torrent was being built; retry.',
        headers: { 'Retry-After': '1' },
        expose: false,
      },
    ],
    [
      'an unknown 500',
      sdkError('InternalError', 500),
      { statusCode: 502, code: 'UpstreamError', message: 'The storage service returned an unexpected answer.', headers: {}, expose: false },
    ],
    [
      'NotImplemented (the caller should have fallen back)',
      sdkError('NotImplemented', 501),
      { statusCode: 502, code: 'UpstreamError', message: 'The storage service returned an unexpected answer.', headers: {}, expose: false },
    ],
    [
      'a plain Error',
      new Error(UPSTREAM_TEXT),
      { statusCode: 502, code: 'UpstreamError', message: 'The storage service returned an unexpected answer.', headers: {}, expose: false },
    ],
  ])('answers %s with our own message, keeping the error as cause', (_label, err, expected) => {
    // Act
    const http = s3ErrorToHttp(err);

    // Assert
    expect(http).toBeInstanceOf(HttpError);
    expect(answer(http)).toEqual(expected);
    expect(http.cause).toBe(err);
    expect(JSON.stringify(answer(http))).not.toContain('secret-internal-name');
  });

  test('passes an HttpError through unchanged', () => {
    const original = new HttpError(403, 'KeyNotServed', 'This proxy does not serve that key.');

    expect(s3ErrorToHttp(original)).toBe(original);
  });
});
