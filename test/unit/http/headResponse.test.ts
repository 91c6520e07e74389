import middy from '@middy/core';
import { Readable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { allowMethods } from '../../../lambda/http/allowMethods';
import { headResponse } from '../../../lambda/http/headResponse';
import { HttpError } from '../../../lambda/http/HttpError';
import { httpErrorHandler } from '../../../lambda/http/httpErrorHandler';
import { jsonResponse, SECURITY_HEADERS, type LambdaResponse } from '../../../lambda/http/jsonResponse';
import { apiGatewayEvent, lambdaContext } from '../fixtures';

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS };

/** A GET/HEAD route: headResponse registered before httpErrorHandler, so its onError runs after the error body exists. */
const route = (handler: () => Promise<LambdaResponse>) =>
  middy<APIGatewayProxyEvent, LambdaResponse>()
    .use([headResponse(), httpErrorHandler(), allowMethods(['GET', 'HEAD'])])
    .handler(handler);

describe('headResponse', () => {
  test('answers HEAD with the status and headers of GET and an empty body', async () => {
    // Arrange
    const handler = route(async () => jsonResponse(200, { ok: true }, { ETag: '"abc"' }));

    // Act
    const [get, head] = [
      await handler(apiGatewayEvent({ httpMethod: 'GET' }), lambdaContext()),
      await handler(apiGatewayEvent({ httpMethod: 'HEAD' }), lambdaContext()),
    ];

    // Assert
    expect(get).toEqual({ statusCode: 200, headers: { ...JSON_HEADERS, ETag: '"abc"' }, body: '{"ok":true}' });
    expect(head).toEqual({ statusCode: 200, headers: { ...JSON_HEADERS, ETag: '"abc"' }, body: '' });
  });

  test('closes a streamed body it strips', async () => {
    // Arrange
    const stream = Readable.from([Buffer.from('d4:infodee')]);
    const handler = route(async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/x-bittorrent' }, body: stream }));

    // Act
    const res = await handler(apiGatewayEvent({ httpMethod: 'HEAD' }), lambdaContext());

    // Assert
    expect(res).toEqual({ statusCode: 200, headers: { 'Content-Type': 'application/x-bittorrent' }, body: '' });
    expect(stream.destroyed).toBe(true);
  });

  test('answers a refused HEAD with the error status and headers and an empty body', async () => {
    // Arrange
    const handler = route(async () => {
      throw new HttpError(403, 'InvalidLink', 'The share link is not valid for this object.', { headers: { 'X-Why': 'test' } });
    });

    // Act
    const res = await handler(apiGatewayEvent({ httpMethod: 'HEAD' }), lambdaContext());

    // Assert
    expect(res).toEqual({ statusCode: 403, headers: { ...JSON_HEADERS, 'X-Why': 'test' }, body: '' });
  });

  test('leaves GET bodies alone', async () => {
    const stream = Readable.from([Buffer.from('x')]);
    const handler = route(async () => ({ statusCode: 200, headers: {}, body: stream }));

    const res = await handler(apiGatewayEvent({ httpMethod: 'GET' }), lambdaContext());

    expect(res).toEqual({ statusCode: 200, headers: {}, body: stream });
    expect(stream.destroyed).toBe(false);
  });
});
