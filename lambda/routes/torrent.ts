import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { pendingResponse } from '../http/pendingResponse';
import { publicBaseUrl } from '../http/publicBaseUrl';
import { torrentResponse } from '../http/torrentResponse';
import { seedUrl } from '../links/shareLinks';
import type { ObjectPin } from '../links/objectPin';
import type { Services } from '../services';
import type { AuthorizedContext } from './middleware/authorizeObjectRequest';
import { header, objectRoute } from './middleware/objectRoute';

/** `GET|HEAD /torrent/{bucket}/{key+}`: the .torrent of a share link, or 202 while it is built. */
export const torrentRoute = (s: Services) =>
  middy<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>({ executionMode: executionModeStreamifyResponse })
    .use(objectRoute(s, 'torrent'))
    .handler(async (event, context) => {
      const { target, log } = context;
      const ring = await s.keyRing();
      const base = publicBaseUrl(event, s.config);
      const webSeeds = (pin: ObjectPin) => [seedUrl(ring, base, target.bucket, target.key, target.link.exp, pin)];
      const out = await s.torrents.get({ target, webSeeds, log, pin: target.link.pin });
      return out.state === 'building' ? pendingResponse(out.progress) : torrentResponse(out.torrent, header(event, 'if-none-match'));
    });
