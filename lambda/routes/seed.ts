import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Services } from '../services';
import { peerAddress } from '../swarm/tracker/parseAnnounce';
import { serveWebSeed } from '../swarm/webSeed';
import type { AuthorizedContext } from './middleware/authorizeObjectRequest';
import { header, objectRoute } from './middleware/objectRoute';

/** The requester's address as the tracker writes peers' (IPv4-mapped IPv6 as IPv4), so deferral markers match. */
const requesterOf = (event: APIGatewayProxyEvent): string => {
  try {
    return peerAddress(event.requestContext?.identity?.sourceIp);
  } catch {
    return 'unknown';
  }
};

/** `GET|HEAD /seed/{token}/{bucket}/{key+}`: the web seed in generated torrents. */
export const seedRoute = (s: Services) =>
  middy<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>({ executionMode: executionModeStreamifyResponse })
    .use(objectRoute(s, 'seed'))
    .handler(async (event, context) =>
      serveWebSeed(
        { s3: s.s3, presignS3: s.presignS3, config: s.config, peers: s.peers, metrics: s.metrics, folderFile: (t, f, log) => s.folders.fileOf(t, f, log) },
        context.target,
        {
          range: header(event, 'range'),
          requester: requesterOf(event),
          log: context.log,
        },
      ),
    );
