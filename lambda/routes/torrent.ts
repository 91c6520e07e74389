import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { pendingResponse } from '../http/pendingResponse';
import { publicBaseUrl } from '../http/publicBaseUrl';
import { torrentResponse } from '../http/torrentResponse';
import type { Services } from '../services';
import type { AuthorizedContext } from './middleware/authorizeObjectRequest';
import { header, objectRoute } from './middleware/objectRoute';
import { folderLinks, torrentLinks } from './torrentLinks';

/** `GET|HEAD /torrent/{bucket}/{key+}`: the .torrent of a share link, or 202 while it is built. */
export const torrentRoute = (s: Services) =>
  middy<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>({ executionMode: executionModeStreamifyResponse })
    .use(objectRoute(s, 'torrent'))
    .handler(async (event, context) => {
      const { target, log } = context;
      const ring = await s.keyRing();
      const base = publicBaseUrl(event, s.config);
      const out =
        target.link.scope.type === 'folder'
          ? await s.folders.get({ target, links: folderLinks(ring, base, target.bucket, target.link.exp), log })
          : await s.torrents.get({ target, links: torrentLinks(ring, base, target.bucket, target.key, target.link.exp), log, pin: target.link.pin });
      return out.state === 'building' ? pendingResponse(out.progress) : torrentResponse(out.torrent, header(event, 'if-none-match'));
    });
