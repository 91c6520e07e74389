import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { allowMethods } from '../http/allowMethods';
import { HttpError } from '../http/HttpError';
import { httpErrorHandler } from '../http/httpErrorHandler';
import { jsonResponse } from '../http/jsonResponse';
import { requestLogger, type LoggedContext } from '../observability/requestLogger';
import type { Services } from '../services';

const INFO_HASH = /^[0-9a-f]{40}$/;

/**
 * `GET /swarm/{infoHash}` (IAM, owner only): the swarm of one torrent as the
 * tracker sees it: seeders, leechers, completed downloads and the bytes the
 * web seed served. The info-hash comes from `POST /links` with `magnet: true`
 * (or the torrent's `X-Torrent-Info-Hash` header).
 */
export const swarmStatsRoute = (s: Services) =>
  middy<APIGatewayProxyEvent, unknown, Error, LoggedContext>()
    .use([requestLogger({ route: 'swarm', logger: s.logger, metrics: s.metrics }), httpErrorHandler({ logger: s.logger }), allowMethods(['GET'])])
    .handler(async (event) => {
      const infoHash = (event.path ?? '').split('/').pop()?.toLowerCase() ?? '';
      if (!INFO_HASH.test(infoHash))
        throw new HttpError(400, 'InvalidInfoHash', "Use GET /swarm/<info-hash> with the 40 hex characters of a torrent's info-hash.");
      if (!s.peers) throw new HttpError(404, 'NoTracker', 'This proxy runs no tracker.');
      const now = Date.now();
      const view = await s.peers.view(infoHash, now, 2 * s.config.swarm.intervalSeconds * 1000);
      return jsonResponse(200, {
        infoHash,
        seeders: view.complete,
        leechers: view.incomplete,
        downloaded: view.downloaded,
        seedBytes: view.seedBytes,
        peers: view.peers.length,
      });
    });
