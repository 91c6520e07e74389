import type { MiddlewareObj } from '@middy/core';
import type { AppLogger } from '../observability/logger';
import { isHttpError } from './HttpError';
import { errorResponse, type LambdaResponse } from './jsonResponse';

/** An error as the caller is told it; `respond` turns it into the answer. */
export interface ErrorAnswer {
  statusCode: number;
  code: string;
  message: string;
  headers: Record<string, string>;
}

export interface HttpErrorHandlerOptions {
  /** Log 4xx answers at this level (5xx are always logged as errors). */
  clientErrorLevel?: 'debug' | 'info' | 'warn';
  /** Headers added to every error answer (CORS on the public routes). */
  headers?: Record<string, string>;
  /** Logger for requests that have none of their own yet (`context.log` comes first). */
  logger?: AppLogger;
  /** Shapes the answer (default: JSON `{ code, message }`); the torrent route negotiates an HTML page for browsers. */
  respond?: (event: unknown, error: ErrorAnswer) => LambdaResponse;
}

const jsonAnswer = (_event: unknown, e: ErrorAnswer): LambdaResponse => errorResponse(e.statusCode, e.code, e.message, e.headers);

const defaults = { clientErrorLevel: 'info' as const, headers: {}, respond: jsonAnswer };

/**
 * Turns any error into a JSON `{ code, message }` answer (or what `respond` makes of it). HttpErrors keep
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
        request.response = options.respond(request.event, {
          statusCode: err.statusCode,
          code: err.code,
          message: err.message,
          headers: { ...options.headers, ...err.headers },
        });
        return;
      }
      logger?.error('unhandled error', { error: err });
      request.response = options.respond(request.event, { statusCode: 500, code: 'InternalError', message: 'Internal error.', headers: options.headers });
    },
  };
};
