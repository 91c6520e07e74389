import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from '../../../lambda/http/HttpError';
import { httpErrorHandler } from '../../../lambda/http/httpErrorHandler';
import { jsonResponse, SECURITY_HEADERS, type LambdaResponse } from '../../../lambda/http/jsonResponse';
import { createLogger } from '../../../lambda/observability/logger';
import { captureLogs as capture } from '../../helpers/captureLogs';
import { apiGatewayEvent, lambdaContext } from '../fixtures';

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS };

const logger = createLogger();

const throwing = (err: unknown) =>
  middy<APIGatewayProxyEvent, LambdaResponse>()
    .use(httpErrorHandler({ logger }))
    .handler(async () => {
      throw err;
    });

/** Runs `fn` with the logger at debug level, returning the parsed log lines. */
const captureLogs = async (fn: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> => {
  const { lines, restore } = capture(logger, 'DEBUG');
  try {
    await fn();
  } finally {
    restore();
  }
  return lines.map((l) => JSON.parse(l));
};

describe('httpErrorHandler', () => {
  test('answers a thrown plain Error with a generic 500 and no stack or message in the body', async () => {
    // Arrange
    const handler = throwing(new Error('database password is hunter2'));

    // Act
    const res = await handler(apiGatewayEvent(), lambdaContext());

    // Assert
    expect(res).toEqual({ statusCode: 500, headers: JSON_HEADERS, body: JSON.stringify({ code: 'InternalError', message: 'Internal error.' }) });
  });

  test('answers a thrown non-Error value with the same generic 500', async () => {
    const res = await throwing('just a string')(apiGatewayEvent(), lambdaContext());

    expect(res).toEqual({ statusCode: 500, headers: JSON_HEADERS, body: JSON.stringify({ code: 'InternalError', message: 'Internal error.' }) });
  });

  test('keeps an HttpError’s status, code, message and headers', async () => {
    // Arrange
    const handler = throwing(new HttpError(503, 'SlowDown', 'The storage service is busy; retry later.', { headers: { 'Retry-After': '2' } }));

    // Act
    const res = await handler(apiGatewayEvent(), lambdaContext());

    // Assert
    expect(res).toEqual({
      statusCode: 503,
      headers: { ...JSON_HEADERS, 'Retry-After': '2' },
      body: JSON.stringify({ code: 'SlowDown', message: 'The storage service is busy; retry later.' }),
    });
  });

  test('answers a 4xx HttpError with exactly { code, message }', async () => {
    const res = await throwing(new HttpError(404, 'NoSuchKey', 'The object does not exist.', { cause: new Error('upstream detail') }))(
      apiGatewayEvent(),
      lambdaContext(),
    );

    expect(res).toEqual({ statusCode: 404, headers: JSON_HEADERS, body: JSON.stringify({ code: 'NoSuchKey', message: 'The object does not exist.' }) });
  });

  test('adds the configured headers to every error answer, under the error’s own headers', async () => {
    // Arrange
    const cors = { 'Access-Control-Allow-Origin': '*', 'Retry-After': '9' };
    const handler = (err: unknown) =>
      middy<APIGatewayProxyEvent, LambdaResponse>()
        .use(httpErrorHandler({ headers: cors }))
        .handler(async () => {
          throw err;
        });

    // Act
    const [http, internal] = [
      await handler(new HttpError(503, 'SlowDown', 'The storage service is busy; retry later.', { headers: { 'Retry-After': '2' } }))(
        apiGatewayEvent(),
        lambdaContext(),
      ),
      await handler(new Error('boom'))(apiGatewayEvent(), lambdaContext()),
    ];

    // Assert
    expect({ http, internal }).toEqual({
      http: {
        statusCode: 503,
        headers: { ...JSON_HEADERS, 'Access-Control-Allow-Origin': '*', 'Retry-After': '2' },
        body: JSON.stringify({ code: 'SlowDown', message: 'The storage service is busy; retry later.' }),
      },
      internal: { statusCode: 500, headers: { ...JSON_HEADERS, ...cors }, body: JSON.stringify({ code: 'InternalError', message: 'Internal error.' }) },
    });
  });

  test('keeps a response another middleware already set', async () => {
    // Arrange
    const handler = middy<APIGatewayProxyEvent, LambdaResponse>()
      .use(httpErrorHandler({ logger }))
      .use({
        onError: (request) => {
          request.response = jsonResponse(418, { code: 'Teapot', message: 'short and stout' });
        },
      })
      .handler(async () => {
        throw new Error('boom');
      });

    // Act
    const res = await handler(apiGatewayEvent(), lambdaContext());

    // Assert
    expect(res).toEqual({ statusCode: 418, headers: JSON_HEADERS, body: JSON.stringify({ code: 'Teapot', message: 'short and stout' }) });
  });

  test('logs an unhandled error with its details, which the body never carries', async () => {
    // Act
    const logs = await captureLogs(() => throwing(new Error('database password is hunter2'))(apiGatewayEvent(), lambdaContext()));

    // Assert
    expect(logs.map((l) => ({ level: l.level, message: l.message, error: (l.error as { message?: string }).message }))).toEqual([
      { level: 'ERROR', message: 'unhandled error', error: 'database password is hunter2' },
    ]);
  });

  test('logs a 4xx at info with its status and code only', async () => {
    const logs = await captureLogs(() => throwing(new HttpError(403, 'InvalidLink', 'nope'))(apiGatewayEvent(), lambdaContext()));

    expect(logs.map(({ level, message, status, code }) => ({ level, message, status, code }))).toEqual([
      { level: 'INFO', message: 'request refused', status: 403, code: 'InvalidLink' },
    ]);
  });

  test('hands the event and the error as told to the caller to `respond`, which shapes the answer (the torrent route’s HTML pages)', async () => {
    // Arrange
    const seen: unknown[] = [];
    const handler = (err: unknown) =>
      middy<APIGatewayProxyEvent, LambdaResponse>()
        .use(
          httpErrorHandler({
            logger,
            headers: { Vary: 'Accept' },
            respond: (event, e) => {
              seen.push({ path: (event as APIGatewayProxyEvent).path, ...e });
              return { statusCode: e.statusCode, headers: { 'Content-Type': 'text/html; charset=utf-8', ...e.headers }, body: `<p>${e.code}</p>` };
            },
          }),
        )
        .handler(async () => {
          throw err;
        });

    // Act
    const answers = [
      await handler(new HttpError(403, 'LinkExpired', 'The share link has expired.', { headers: { 'X-A': '1' } }))(apiGatewayEvent(), lambdaContext()),
      await handler(new Error('secret detail'))(apiGatewayEvent(), lambdaContext()),
    ];

    // Assert
    expect({ answers, seen }).toEqual({
      answers: [
        { statusCode: 403, headers: { 'Content-Type': 'text/html; charset=utf-8', Vary: 'Accept', 'X-A': '1' }, body: '<p>LinkExpired</p>' },
        { statusCode: 500, headers: { 'Content-Type': 'text/html; charset=utf-8', Vary: 'Accept' }, body: '<p>InternalError</p>' },
      ],
      seen: [
        { path: '/torrent/demo/a.bin', statusCode: 403, code: 'LinkExpired', message: 'The share link has expired.', headers: { Vary: 'Accept', 'X-A': '1' } },
        { path: '/torrent/demo/a.bin', statusCode: 500, code: 'InternalError', message: 'Internal error.', headers: { Vary: 'Accept' } },
      ],
    });
  });
});
