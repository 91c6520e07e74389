import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { authorizeObjectRequest, type AuthorizedContext } from './routes/middleware/authorizeObjectRequest';
import { createKeyRingProvider, type KeyRingProvider } from './links/loadKeyRing';
import { seedUrl } from './links/shareLinks';
import { noCache, s3TorrentCache, type TorrentCache } from './torrents/cache/torrentCache';
import { withMemoryCache } from './torrents/cache/withMemoryCache';
import type { Config } from './config';
import { allowMethods } from './http/allowMethods';
import { headResponse } from './http/headResponse';
import { httpErrorHandler } from './http/httpErrorHandler';
import { CORS_HEADERS, jsonResponse } from './http/jsonResponse';
import { parseJsonBody } from './http/parseJsonBody';
import { publicBaseUrl } from './http/publicBaseUrl';
import { requestLogger } from './observability/requestLogger';
import { torrentResponse } from './http/torrentResponse';
import { createS3Client } from './s3/createS3Client';
import { getTorrent, isPending, type TorrentDeps } from './torrents/torrentService';
import { pendingResponse } from './http/pendingResponse';
import { backgroundEvent } from './routes/generate';
import { lambdaJobs } from './jobs/lambdaJobs';
import { hashObjectSegment } from './hashing/hashObject';
import { invokeLambda } from './aws/invokeLambda';
import { logger } from './observability/logger';
import { mintLink, type MintInput } from './routes/mint';
import { serveSeed } from './swarm/webSeed';

export interface HandlerDeps {
  s3?: S3Client;
  /** Client used only to presign seed redirects (a different public endpoint). */
  presignS3?: S3Client;
  cache?: TorrentCache;
  keyRing?: KeyRingProvider;
  /** Seconds since the epoch. */
  now?: () => number;
  /** Lambda API endpoint override (tests). */
  lambdaEndpoint?: string;
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
  const cache =
    deps.cache ??
    withMemoryCache(config.cache.bucket ? s3TorrentCache(s3, config.cache.bucket, config.cache.prefix, config.cache.expectedOwner) : noCache, config.memoryCacheBytes);
  const keyRing = deps.keyRing ?? createKeyRingProvider(config.links, config.s3.region);
  const torrentDeps: TorrentDeps = { s3, cache, config };
  const generateOpts = (pieceLength: number) => ({ pieceLength, name: '', concurrency: config.readConcurrency, partBytes: config.readPartBytes });
  if (config.asyncFunctionName && config.cache.bucket) {
    // In AWS: background builds and fan-out segments run in the generate function.
    const functionName = config.asyncFunctionName;
    torrentDeps.jobs = lambdaJobs({
      s3,
      cacheBucket: config.cache.bucket,
      cachePrefix: config.cache.prefix,
      expectedOwner: config.cache.expectedOwner,
      region: config.s3.region,
      functionName,
      lambdaEndpoint: deps.lambdaEndpoint,
    });
    torrentDeps.runSegment = (ref, head, pieceLength) => async (segment) => {
      const out = (await invokeLambda({
        region: config.s3.region,
        functionName,
        type: 'RequestResponse',
        payload: { action: 'hashSegment', bucket: ref.bucket, key: ref.key, versionId: head.versionId, etag: head.etag, size: head.size, pieceLength, segment },
        endpoint: deps.lambdaEndpoint,
      })) as { pieces: string };
      return Buffer.from(out.pieces, 'base64');
    };
  } else {
    // Locally: segments of very large objects are hashed concurrently in this process.
    torrentDeps.runSegment = (ref, head, pieceLength) => (segment) => hashObjectSegment(s3, ref, head, segment, generateOpts(pieceLength));
  }
  const objectRoute = (route: 'torrent' | 'seed') => [
    requestLogger({ route }),
    // Before the error handler: middy runs onError in reverse, so HEAD strips error bodies too.
    headResponse(),
    httpErrorHandler({ headers: CORS_HEADERS }),
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
      return isPending(torrent) ? pendingResponse(torrent.progress) : torrentResponse(torrent, header(event, 'if-none-match'));
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

  /** Invoked by Lambda itself (not API Gateway): background builds and fan-out segments. */
  const generateHandler = middy<unknown, unknown, Error, Context>().handler(async (event, context) => {
    logger.setContext({ requestId: context.awsRequestId, route: 'generate', action: (event as { action?: string })?.action });
    return backgroundEvent(torrentDeps, event, generateOpts);
  });

  return { torrentHandler, seedHandler, mintHandler, generateHandler, torrentDeps, keyRing };
};
