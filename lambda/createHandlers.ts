import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { authorizeObjectRequest, type AuthorizedContext } from './auth/authorizeObjectRequest';
import { createKeyRingProvider, type KeyRingProvider } from './auth/loadKeyRing';
import { seedUrl } from './auth/shareLinks';
import { noCache, s3TorrentCache, type TorrentCache } from './cache/torrentCache';
import type { Config } from './config';
import { allowMethods } from './http/allowMethods';
import { headResponse } from './http/headResponse';
import { httpErrorHandler } from './http/httpErrorHandler';
import { jsonResponse } from './http/jsonResponse';
import { parseJsonBody } from './http/parseJsonBody';
import { publicBaseUrl } from './http/publicBaseUrl';
import { requestLogger } from './http/requestLogger';
import { torrentResponse } from './http/torrentResponse';
import { createS3Client } from './s3/createS3Client';
import { getTorrent } from './routes/getTorrent';
import { mintLink, type MintInput } from './routes/mintLink';
import { serveSeed } from './routes/serveSeed';

export interface HandlerDeps {
  s3?: S3Client;
  /** Client used only to presign seed redirects (a different public endpoint). */
  presignS3?: S3Client;
  cache?: TorrentCache;
  keyRing?: KeyRingProvider;
  /** Seconds since the epoch. */
  now?: () => number;
}

const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const h = event.headers ?? {};
  const found = Object.keys(h).find((k) => k.toLowerCase() === name);
  return found ? (h[found] ?? undefined) : undefined;
};

/**
 * Builds the three Lambda entry points from a config. Handlers only wire
 * middlewares to domain functions; `handler.ts` calls this once at cold start.
 */
export const createHandlers = (config: Config, deps: HandlerDeps = {}) => {
  const s3 = deps.s3 ?? createS3Client(config.s3);
  const cache = deps.cache ?? (config.cache.bucket ? s3TorrentCache(s3, config.cache.bucket, config.cache.prefix, config.cache.expectedOwner) : noCache);
  const keyRing = deps.keyRing ?? createKeyRingProvider(config.links, config.s3.region);
  const torrentDeps = { s3, cache, config };
  const objectRoute = (route: 'torrent' | 'seed') => [
    requestLogger({ route }),
    httpErrorHandler(),
    headResponse(),
    allowMethods(['GET', 'HEAD']),
    authorizeObjectRequest({ route, config, keyRing, now: deps.now }),
  ];

  const torrentHandler = middy<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>({ executionMode: executionModeStreamifyResponse })
    .use(objectRoute('torrent'))
    .handler(async (event, context) => {
      const { target } = context;
      const ring = await keyRing();
      const webSeeds = [seedUrl(ring, publicBaseUrl(event, config), target.bucket, target.key, target.link.exp)];
      const torrent = await getTorrent(torrentDeps, { policy: target.policy, key: target.key, webSeeds });
      return torrentResponse(torrent, header(event, 'if-none-match'));
    });

  const seedHandler = middy<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>({ executionMode: executionModeStreamifyResponse })
    .use(objectRoute('seed'))
    .handler(async (event, context) => serveSeed({ s3, presignS3: deps.presignS3, config }, context.target, header(event, 'range')));

  const mintHandler = middy<APIGatewayProxyEvent, unknown, Error, Context>()
    .use([requestLogger({ route: 'links' }), httpErrorHandler(), allowMethods(['POST'])])
    .handler(async (event) => {
      const input = parseJsonBody<MintInput>(event);
      const ring = await keyRing();
      const now = deps.now?.();
      const minted = await mintLink(torrentDeps, ring, input, publicBaseUrl(event, config), now);
      return jsonResponse(201, minted);
    });

  return { torrentHandler, seedHandler, mintHandler, torrentDeps, keyRing };
};
