import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { captureLogs } from '../../helpers/captureLogs';
import { createLogger } from '../../../lambda/observability/logger';
import type { ProxyMetrics } from '../../../lambda/observability/metrics';
import { requestLogger, type LoggedContext } from '../../../lambda/observability/requestLogger';

const event = { httpMethod: 'GET', path: '/torrent/media/a.bin', requestContext: { requestId: 'api-1' } } as unknown as APIGatewayProxyEvent;
const context = () => ({ awsRequestId: 'req-1' }) as LoggedContext;
const noMetrics = { request: () => undefined } as unknown as ProxyMetrics;

/** One request through a real middy handler with requestLogger; `work` may log through `context.log`. */
const run = async (work: (log: LoggedContext['log']) => void) => {
  const logger = createLogger();
  const captured = captureLogs(logger, 'INFO');
  try {
    await middy<APIGatewayProxyEvent, unknown, Error, LoggedContext>()
      .use(requestLogger({ route: 'torrent', logger, metrics: noMetrics }))
      .handler(async (_e, ctx) => {
        work(ctx.log);
        return { statusCode: 200 };
      })(event, context());
  } finally {
    captured.restore();
  }
  return captured.lines.map((l) => {
    const { timestamp: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
};

describe('requestLogger', () => {
  test('writes the same access line whether or not the request logged through its own logger', async () => {
    const quiet = await run(() => undefined);
    const chatty = await run((log) => log.info('working', { step: 1 }));

    const access = {
      level: 'INFO',
      message: 'request',
      requestId: 'req-1',
      apiRequestId: 'api-1',
      route: 'torrent',
      method: 'GET',
      path: '/torrent/media/a.bin',
      status: 200,
    };
    expect(quiet).toEqual([expect.objectContaining({ ...access, ms: expect.any(Number) })]);
    expect(chatty).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'working', requestId: 'req-1', apiRequestId: 'api-1', route: 'torrent', step: 1 }),
      expect.objectContaining({ ...access, ms: expect.any(Number) }),
    ]);
    // Same keys in the same order: one line, whichever logger wrote it.
    expect(Object.keys(quiet[0])).toEqual(Object.keys(chatty[1]));
  });
});
