import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Services } from '../services';
import { serveWebSeed } from '../swarm/webSeed';
import type { AuthorizedContext } from './middleware/authorizeObjectRequest';
import { header, objectRoute } from './middleware/objectRoute';

/** `GET|HEAD /seed/{token}/{bucket}/{key+}`: the web seed in generated torrents. */
export const seedRoute = (s: Services) =>
  middy<APIGatewayProxyEvent, unknown, Error, AuthorizedContext>({ executionMode: executionModeStreamifyResponse })
    .use(objectRoute(s, 'seed'))
    .handler(async (event, context) => serveWebSeed({ s3: s.s3, presignS3: s.presignS3, config: s.config }, context.target, header(event, 'range')));
