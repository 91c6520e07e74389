/**
 * Serves Lambda handlers over plain HTTP the way API Gateway (REST, Lambda
 * proxy, response streaming) would: each request becomes an API Gateway
 * proxy event; streaming handlers write to a response stream whose prelude
 * sets status and headers; standard handlers return a response object.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { PREFLIGHT_RESOURCES, preflightHeaders } from '../../lambda/http/cors';
import { installLambdaGlobals, isStreamingHandler, type Prelude, type PreludeStream } from './lambdaRuntime';

installLambdaGlobals();

export interface Route {
  /** API Gateway resource, e.g. `/torrent/{bucket}/{key+}`. */
  resource: string;
  /** Path prefix that selects this route, e.g. `/torrent/`. */
  prefix: string;
  // biome-ignore lint/suspicious/noExplicitAny: middy handlers of every event and context type
  handler: (...args: any[]) => Promise<unknown>;
  /** Answer OPTIONS here, as API Gateway's MOCK integration does, without calling the handler (default: the resources in PREFLIGHT_RESOURCES). */
  preflight?: boolean;
}

const MAX_BODY = 1024 * 1024;

/** Builds the REST API proxy event API Gateway would send for this request. */
export const toApiGatewayEvent = (req: IncomingMessage, body: Buffer, route: Route, stage: string): APIGatewayProxyEvent => {
  const target = req.url ?? '/';
  const at = target.indexOf('?');
  const rawPath = at < 0 ? target : target.slice(0, at);
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    headers[name] = value;
    multiValueHeaders[name] = multiValueHeaders[name] ?? [];
    multiValueHeaders[name].push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  // The query as a WHATWG URL would split it (up to a fragment), without parsing the whole URL.
  const search = new URLSearchParams(at < 0 ? '' : target.slice(at + 1).split('#')[0]);
  for (const [k, v] of search) {
    query[k] = v;
    multiQuery[k] = multiQuery[k] ?? [];
    multiQuery[k].push(v);
  }
  const hasQuery = search.size > 0;
  const safeDecode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    resource: route.resource,
    path: rawPath,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: pathParameters(route, rawPath, safeDecode),
    stageVariables: null,
    body: body.length > 0 ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: null,
      domainName: req.headers.host ?? '127.0.0.1',
      httpMethod: req.method ?? 'GET',
      path: rawPath,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.resource,
      stage,
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? null } as never,
    },
  } as APIGatewayProxyEvent;
};

/** Fills `{name}` and greedy `{name+}` parameters of the route's resource from the path (decoded, as API Gateway does). */
const pathParameters = (route: Route, rawPath: string, decode: (s: string) => string): Record<string, string> | null => {
  const names = route.resource.slice(route.prefix.length).split('/');
  const parts = rawPath.slice(route.prefix.length).split('/');
  const out: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const m = /^\{(\w+)(\+?)\}$/.exec(names[i]);
    if (!m || parts[i] === undefined) return null;
    out[m[1]] = decode(m[2] ? parts.slice(i).join('/') : parts[i]);
  }
  return out;
};

const lambdaContext = (): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local',
    memoryLimitInMB: '1024',
    logGroupName: 'local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 15 * 60 * 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** A Writable in front of a ServerResponse: the prelude becomes writeHead, bytes pass through with back-pressure. */
const responseStreamFor = (res: ServerResponse): PreludeStream => {
  const stream = new Writable({
    write(chunk, _enc, cb) {
      if (!res.headersSent) res.writeHead(200);
      if (chunk.length === 0) return cb();
      if (res.write(chunk)) cb();
      else res.once('drain', () => cb());
    },
    final(cb) {
      if (!res.headersSent) res.writeHead(200);
      res.end(() => cb());
    },
  }) as PreludeStream;
  stream.setPrelude = (prelude: Prelude) => {
    const headers: Record<string, string | string[]> = { ...(prelude.headers ?? {}) };
    for (const [k, v] of Object.entries(prelude.multiValueHeaders ?? {})) headers[k] = v;
    res.writeHead(prelude.statusCode, headers);
  };
  return stream;
};

const sendJson = (res: ServerResponse, status: number, code: string, message: string) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ code, message }));
};

/** A Node `http` request listener that dispatches to the routes, or 404s as API Gateway would. */
export const apiGatewayListener =
  (routes: Route[], stage = 'local') =>
  async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => path.startsWith(r.prefix) || path === r.prefix.replace(/\/$/, ''));
    if (!route) {
      req.resume();
      return sendJson(res, 404, 'NotFound', 'No such route. Use GET /torrent/<bucket>/<key> with a share link.');
    }
    if (req.method === 'OPTIONS' && (route.preflight ?? PREFLIGHT_RESOURCES.includes(route.resource)) && pathParameters(route, path, (x) => x)) {
      req.resume();
      // What the stack's MOCK integration answers (infra/stack/constructs/Api.ts): the Lambda is never called.
      res.writeHead(204, { 'Content-Type': 'application/json', ...preflightHeaders() });
      return res.end();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += chunk.length;
        if (size > MAX_BODY) return sendJson(res, 413, 'BodyTooLarge', 'Request body too large.');
        chunks.push(chunk);
      }
    } catch {
      return res.destroy();
    }
    const event = toApiGatewayEvent(req, Buffer.concat(chunks), route, stage);
    try {
      if (isStreamingHandler(route.handler)) {
        const stream = responseStreamFor(res);
        res.on('close', () => stream.destroy());
        await route.handler(event, stream, lambdaContext());
      } else {
        const out = (await route.handler(event, lambdaContext())) as {
          statusCode: number;
          headers?: Record<string, string>;
          body?: string;
          isBase64Encoded?: boolean;
        };
        res.writeHead(out.statusCode, out.headers ?? {});
        res.end(out.body ? Buffer.from(out.body, out.isBase64Encoded ? 'base64' : 'utf8') : undefined);
      }
    } catch (err) {
      // API Gateway answers 502 when an integration fails; a stream that broke mid-body is cut, like Lambda does.
      if (!res.headersSent) sendJson(res, 502, 'IntegrationFailure', 'The handler failed.');
      else res.destroy(err as Error);
    }
  };
