import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { allowMethods } from '../../../lambda/http/allowMethods';
import { httpErrorHandler } from '../../../lambda/http/httpErrorHandler';
import { jsonResponse, SECURITY_HEADERS, type LambdaResponse } from '../../../lambda/http/jsonResponse';
import { apiGatewayEvent, lambdaContext } from '../fixtures';

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS };

const handlerAllowing = (methods: string[]) => {
  const calls: string[] = [];
  const handler = middy<APIGatewayProxyEvent, LambdaResponse>()
    .use([httpErrorHandler(), allowMethods(methods)])
    .handler(async (event) => {
      calls.push(event.httpMethod);
      return jsonResponse(200, { ok: true });
    });
  return { handler, calls };
};

describe('allowMethods', () => {
  test.each(['POST', 'PUT', 'DELETE', 'OPTIONS', 'get'])('returns 405 with an Allow header for %s, without running the handler', async (method) => {
    // Arrange
    const { handler, calls } = handlerAllowing(['GET', 'HEAD']);

    // Act
    const res = await handler(apiGatewayEvent({ httpMethod: method }), lambdaContext());

    // Assert
    expect(res).toEqual({
      statusCode: 405,
      headers: { ...JSON_HEADERS, Allow: 'GET, HEAD' },
      body: JSON.stringify({ code: 'MethodNotAllowed', message: 'Use GET, HEAD.' }),
    });
    expect(calls).toEqual([]);
  });

  test.each(['GET', 'HEAD'])('lets %s through to the handler', async (method) => {
    const { handler, calls } = handlerAllowing(['GET', 'HEAD']);

    const res = await handler(apiGatewayEvent({ httpMethod: method }), lambdaContext());

    expect(res).toEqual({ statusCode: 200, headers: JSON_HEADERS, body: '{"ok":true}' });
    expect(calls).toEqual([method]);
  });

  test('names the one allowed method for the links route', async () => {
    const { handler } = handlerAllowing(['POST']);

    const res = await handler(apiGatewayEvent({ httpMethod: 'GET' }), lambdaContext());

    expect(res).toEqual({
      statusCode: 405,
      headers: { ...JSON_HEADERS, Allow: 'POST' },
      body: JSON.stringify({ code: 'MethodNotAllowed', message: 'Use POST.' }),
    });
  });
});
