import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { allowMethods } from '../../http/allowMethods';
import { headResponse } from '../../http/headResponse';
import { httpErrorHandler, type ErrorAnswer } from '../../http/httpErrorHandler';
import { CORS_HEADERS, errorResponse, type LambdaResponse } from '../../http/jsonResponse';
import { prefersHtml } from '../../http/negotiate';
import { errorPage } from '../../pages/errorPage';
import type { LinkRoute } from '../../links/signLink';
import { requestLogger } from '../../observability/requestLogger';
import type { Services } from '../../services';
import { authorizeObjectRequest, type AuthorizedContext } from './authorizeObjectRequest';

/**
 * Errors of the torrent route (a share link a person may open in a browser): a readable page, same
 * status, when Accept prefers text/html; JSON `{ code, message }` for everyone else.
 */
const negotiatedError = (event: unknown, e: ErrorAnswer): LambdaResponse => {
  const headers = { ...e.headers, Vary: 'Accept' };
  return prefersHtml(header(event as APIGatewayProxyEvent, 'accept'))
    ? errorPage(e.statusCode, e.code, e.message, headers)
    : errorResponse(e.statusCode, e.code, e.message, headers);
};

type ObjectMiddleware = MiddlewareObj<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>;

/** The middlewares of the public object routes (torrent, seed), in order. */
export const objectRoute = (s: Services, route: LinkRoute): ObjectMiddleware[] => [
  requestLogger({ route, logger: s.logger, metrics: s.metrics }) as ObjectMiddleware,
  // Before the error handler: middy runs onError in reverse, so HEAD strips error bodies too.
  headResponse() as ObjectMiddleware,
  httpErrorHandler({ headers: CORS_HEADERS, logger: s.logger, ...(route === 'torrent' ? { respond: negotiatedError } : {}) }) as ObjectMiddleware,
  // OPTIONS never gets here in AWS or locally: CORS preflights are answered before the Lambda (http/cors.ts).
  allowMethods(['GET', 'HEAD']) as ObjectMiddleware,
  authorizeObjectRequest({ route, config: s.config, keyRing: s.keyRing, now: s.now }),
];

/** A request header by case-insensitive name. */
export const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const h = event.headers ?? {};
  const found = Object.keys(h).find((k) => k.toLowerCase() === name);
  return found ? (h[found] ?? undefined) : undefined;
};
