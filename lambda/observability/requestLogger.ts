import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { AppLogger } from './logger';
import type { ProxyMetrics } from './metrics';

/** The Lambda context with this request's own logger. */
export type LoggedContext = Context & { log: AppLogger };

export interface RequestLoggerOptions {
  route: string;
  /** The app's root logger; each request logs through a child of it. */
  logger: AppLogger;
  metrics: ProxyMetrics;
}

/**
 * Gives every request a child logger carrying its request ids and route
 * (`context.log`), and writes one structured access line and one metric per
 * request. Paths are logged through the logger's redaction, so a seed token
 * or link signature never reaches the log. Use it first.
 */
export const requestLogger = (opts: RequestLoggerOptions): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, LoggedContext> => {
  const started = new WeakMap<object, number>();
  const done = (request: { event: APIGatewayProxyEvent; response: unknown; context: LoggedContext }) => {
    const status = (request.response as { statusCode?: number } | undefined)?.statusCode;
    const ms = Date.now() - (started.get(request.context) ?? Date.now());
    request.context.log.info('request', { method: request.event.httpMethod, path: request.event.path, status, ms });
    opts.metrics.request(opts.route, status, ms);
  };
  return {
    before: (request) => {
      started.set(request.context, Date.now());
      request.context.log = opts.logger.createChild({
        persistentKeys: { requestId: request.context.awsRequestId, apiRequestId: request.event.requestContext?.requestId, route: opts.route },
      });
    },
    after: done,
    onError: done,
  };
};
