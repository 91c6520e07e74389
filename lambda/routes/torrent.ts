import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { LambdaResponse } from '../http/jsonResponse';
import { representationOf } from '../http/negotiate';
import { pendingProgress, pendingResponse } from '../http/pendingResponse';
import { publicBaseUrl } from '../http/publicBaseUrl';
import { torrentResponse } from '../http/torrentResponse';
import { displayName } from '../metainfo/displayName';
import { pendingPage } from '../pages/pendingPage';
import { sharePage } from '../pages/sharePage';
import { linkQuery, shareView } from '../pages/shareView';
import type { Services } from '../services';
import type { AuthorizedContext } from './middleware/authorizeObjectRequest';
import { header, objectRoute } from './middleware/objectRoute';
import { folderLinks, torrentLinks } from './torrentLinks';

/** One URL, two representations: caches must key on Accept. */
const varyOnAccept = (r: LambdaResponse): LambdaResponse => ({ ...r, headers: { ...r.headers, Vary: 'Accept' } });

/**
 * `GET|HEAD /torrent/{bucket}/{key+}`: the .torrent of a share link, or 202 while it is built; for
 * a browser (Accept preferring text/html) the share page, or a 202 page that reloads itself.
 */
export const torrentRoute = (s: Services) =>
  middy<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>({ executionMode: executionModeStreamifyResponse })
    .use(objectRoute(s, 'torrent'))
    .handler(async (event, context) => {
      const { target, log } = context;
      const as = representationOf(event);
      const ring = await s.keyRing();
      const base = publicBaseUrl(event, s.config);
      const out =
        target.link.scope.type === 'folder'
          ? await s.folders.get({ target, links: folderLinks(ring, base, target.bucket, target.link.exp), log })
          : await s.torrents.get({ target, links: torrentLinks(ring, base, target.bucket, target.key, target.link.exp), log, pin: target.link.pin });
      if (as === 'torrent') {
        return varyOnAccept(out.state === 'building' ? pendingResponse(out.progress) : torrentResponse(out.torrent, header(event, 'if-none-match')));
      }
      if (out.state === 'building') return varyOnAccept(pendingPage(pendingProgress(out.progress), displayName(target.key)));
      const view = shareView({
        torrent: out.torrent,
        baseUrl: base,
        bucket: target.bucket,
        key: target.key,
        query: linkQuery(event),
        expiresAt: target.link.exp,
        now: s.now(),
      });
      return varyOnAccept(sharePage(view));
    });
