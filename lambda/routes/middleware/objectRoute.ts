import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { allowMethods } from '../../http/allowMethods';
import { headResponse } from '../../http/headResponse';
import { httpErrorHandler } from '../../http/httpErrorHandler';
import { CORS_HEADERS } from '../../http/jsonResponse';
import type { LinkRoute } from '../../links/signLink';
import { requestLogger } from '../../observability/requestLogger';
import type { Services } from '../../services';
import { authorizeObjectRequest, type AuthorizedContext } from './authorizeObjectRequest';

/** The middlewares of the public object routes (torrent, seed), in order. */
export const objectRoute = (s: Services, route: LinkRoute): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>[] => [
  requestLogger({ route, logger: s.logger, metrics: s.metrics }) as MiddlewareObj<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>,
  // Before the error handler: middy runs onError in reverse, so HEAD strips error bodies too.
  headResponse() as MiddlewareObj<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>,
  httpErrorHandler({ headers: CORS_HEADERS, logger: s.logger }) as MiddlewareObj<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>,
  allowMethods(['GET', 'HEAD']) as MiddlewareObj<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>,
  authorizeObjectRequest({ route, config: s.config, keyRing: s.keyRing, now: s.now }),
];

/** A request header by case-insensitive name. */
export const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const h = event.headers ?? {};
  const found = Object.keys(h).find((k) => k.toLowerCase() === name);
  return found ? (h[found] ?? undefined) : undefined;
};
