import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { lazyLogger, type LazyLogger } from './lazyLogger';
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

interface RequestState {
  started: number;
  keys: { requestId: string; apiRequestId: string | undefined; route: string };
  child: LazyLogger;
}

/**
 * Gives every request a child logger carrying its request ids and route
 * (`context.log`), and writes one structured access line and one metric per
 * request. The child is made when something first logs through it; a request
 * that never does writes its access line through the root logger with the
 * same keys, in the same order, so the line is the same either way. Paths are
 * logged through the logger's redaction, so a seed token or link signature
 * never reaches the log. Use it first.
 */
export const requestLogger = (opts: RequestLoggerOptions): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, LoggedContext> => {
  const requests = new WeakMap<object, RequestState>();
  const done = (request: { event: APIGatewayProxyEvent; response: unknown; context: LoggedContext }) => {
    const { started, keys, child } = requests.get(request.context)!; // set in `before`, which runs first
    const status = (request.response as { statusCode?: number } | undefined)?.statusCode;
    const ms = Date.now() - started;
    const fields = { method: request.event.httpMethod, path: request.event.path, status, ms };
    const made = child.made();
    if (made) made.info('request', fields);
    else opts.logger.info('request', { ...keys, ...fields });
    opts.metrics.request(opts.route, status, ms);
  };
  return {
    before: (request) => {
      const keys = { requestId: request.context.awsRequestId, apiRequestId: request.event.requestContext?.requestId, route: opts.route };
      const child = lazyLogger(() => opts.logger.createChild({ persistentKeys: keys }));
      requests.set(request.context, { started: Date.now(), keys, child });
      request.context.log = child.log;
    },
    after: done,
    onError: done,
  };
};
