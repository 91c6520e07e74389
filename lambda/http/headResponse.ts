import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** HEAD gets GET's status and headers with no body (an open body stream is closed). */
export const headResponse = (): MiddlewareObj<APIGatewayProxyEvent> => {
  const strip = (request: { event: APIGatewayProxyEvent; response: unknown }) => {
    if (request.event.httpMethod !== 'HEAD') return;
    const res = request.response as { body?: unknown } | undefined;
    if (!res || res.body === undefined) return;
    const body = res.body as { destroy?: () => void };
    if (typeof body === 'object' && body !== null && typeof body.destroy === 'function') body.destroy();
    res.body = '';
  };
  return { after: strip, onError: strip };
};
