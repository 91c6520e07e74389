import type { MiddlewareObj } from '@middy/core';
import type { AppLogger } from '../observability/logger';
import { isHttpError } from './HttpError';
import { errorResponse } from './jsonResponse';

export interface HttpErrorHandlerOptions {
  /** Log 4xx answers at this level (5xx are always logged as errors). */
  clientErrorLevel?: 'debug' | 'info' | 'warn';
  /** Headers added to every error answer (CORS on the public routes). */
  headers?: Record<string, string>;
  /** Logger for requests that have none of their own yet (`context.log` comes first). */
  logger?: AppLogger;
}

const defaults = { clientErrorLevel: 'info' as const, headers: {} };

/**
 * Turns any error into a JSON `{ code, message }` answer. HttpErrors keep
 * their status, code and headers; anything else is an internal error whose
 * details go only to the log (never a stack trace to the caller).
 */
export const httpErrorHandler = (opts: HttpErrorHandlerOptions = {}): MiddlewareObj => {
  const options = { ...defaults, ...opts };
  return {
    onError: async (request) => {
      if (request.response !== undefined) return;
      const err = request.error;
      const logger = (request.context as { log?: AppLogger }).log ?? options.logger;
      if (isHttpError(err)) {
        const fields = { status: err.statusCode, code: err.code, cause: err.cause };
        if (err.statusCode >= 500) logger?.error('upstream failure', fields);
        else logger?.[options.clientErrorLevel]('request refused', { status: err.statusCode, code: err.code });
        request.response = errorResponse(err.statusCode, err.code, err.message, { ...options.headers, ...err.headers });
        return;
      }
      logger?.error('unhandled error', { error: err });
      request.response = errorResponse(500, 'InternalError', 'Internal error.', options.headers);
    },
  };
};
