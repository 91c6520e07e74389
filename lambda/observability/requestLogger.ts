import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { logger } from './logger';
import { metrics } from './metrics';

/**
 * One structured access line per request, with the request id on every log
 * line written meanwhile. Paths are logged by the logger's redaction, so a
 * seed token or link signature never reaches the log.
 */
export const requestLogger = (opts: { route: string }): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, Context> => {
  const started = new WeakMap<object, number>();
  const done = (request: { event: APIGatewayProxyEvent; response: unknown; context: Context }) => {
    const status = (request.response as { statusCode?: number } | undefined)?.statusCode;
    const ms = Date.now() - (started.get(request.context) ?? Date.now());
    logger.info('request', { method: request.event.httpMethod, path: request.event.path, status, ms });
    metrics.request(opts.route, status, ms);
  };
  return {
    before: (request) => {
      started.set(request.context, Date.now());
      logger.setContext({
        requestId: request.context.awsRequestId,
        apiRequestId: request.event.requestContext?.requestId,
        route: opts.route,
      });
    },
    after: done,
    onError: done,
  };
};
