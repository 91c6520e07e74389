import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { SECURITY_HEADERS } from '../http/jsonResponse';
import type { KeyRingProvider } from '../links/loadKeyRing';
import { verifyTrackerToken } from '../links/trackerToken';
import type { AppLogger } from '../observability/logger';
import type { PeerStore } from '../swarm/peerStore';
import { announceResponse } from '../swarm/tracker/announceResponse';
import { failureResponse } from '../swarm/tracker/failureResponse';
import { parseAnnounce } from '../swarm/tracker/parseAnnounce';
import { parseTrackerPath, type TrackerAction } from '../swarm/tracker/parseTrackerPath';
import { scrapeResponse } from '../swarm/tracker/scrapeResponse';
import { isTrackerFailure, TrackerFailure } from '../swarm/tracker/TrackerFailure';
import { checkQueryInfoHash } from '../swarm/tracker/trackerQuery';

export interface TrackerRouteDeps {
  /** The swarms' store; without one every request is answered with a failure. */
  peers?: PeerStore;
  keyRing: KeyRingProvider;
  logger: AppLogger;
  metrics: { announce(ms: number, ok: boolean): void };
  /** Seconds between a client's announces; a peer is gone after two intervals without one. */
  intervalSeconds: number;
  /** The most peers one answer carries. */
  maxPeers: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** API Gateway's answer: a bencoded body, base64 for the REST API's binary media types. */
export interface TrackerResponse {
  statusCode: 200;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: true;
}

export type TrackerContext = Context & { log: AppLogger };

const UNAVAILABLE = 'The tracker is unavailable right now; try again later.';

const bencoded = (body: Buffer, method: string): TrackerResponse => ({
  statusCode: 200,
  headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', ...SECURITY_HEADERS },
  body: method === 'HEAD' ? '' : body.toString('base64'),
  isBase64Encoded: true,
});

interface Outcome {
  started: number;
  action?: TrackerAction;
  failure?: string;
}

/**
 * Gives each request a child logger, writes one access line (the path goes
 * through the logger's redaction: the token's signature never reaches a
 * log) and the announce metric. Use it first.
 */
const trackerLog = (
  deps: Pick<TrackerRouteDeps, 'logger' | 'metrics'>,
  outcomes: WeakMap<object, Outcome>,
): MiddlewareObj<APIGatewayProxyEvent, TrackerResponse, Error, Context> => {
  const done = (request: { event: APIGatewayProxyEvent; context: Context }) => {
    const o = outcomes.get(request.context) ?? { started: Date.now() };
    const ms = Date.now() - o.started;
    (request.context as TrackerContext).log.info('request', {
      method: request.event.httpMethod,
      path: request.event.path,
      action: o.action,
      ok: !o.failure,
      failure: o.failure,
      ms,
    });
    if (o.action === 'announce') deps.metrics.announce(ms, !o.failure);
  };
  return {
    before: (request) => {
      outcomes.set(request.context, { started: Date.now() });
      (request.context as TrackerContext).log = deps.logger.createChild({
        persistentKeys: { requestId: request.context.awsRequestId, apiRequestId: request.event.requestContext?.requestId, route: 'tracker' },
      });
    },
    after: done,
    onError: done,
  };
};

/**
 * Every error becomes a bencoded `failure reason` with HTTP 200, as
 * BitTorrent clients expect: a TrackerFailure says its reason; anything
 * else (the store, the key ring) is logged and answered generically.
 */
const trackerFailures = (outcomes: WeakMap<object, Outcome>): MiddlewareObj<APIGatewayProxyEvent, TrackerResponse, Error, Context> => ({
  onError: (request) => {
    if (request.response !== undefined) return;
    const err = request.error;
    const failure = isTrackerFailure(err) ? err : new TrackerFailure(UNAVAILABLE, { cause: err });
    if (!isTrackerFailure(err)) (request.context as TrackerContext).log.error('tracker request failed', { error: err });
    const outcome = outcomes.get(request.context);
    if (outcome) outcome.failure = failure.reason;
    request.response = bencoded(failureResponse(failure.reason, { permanent: failure.permanent }), request.event.httpMethod);
  },
});

/**
 * `GET|HEAD /announce/{token}` and `/scrape/{token}`: our
 * own BitTorrent tracker. The token names the swarm and proves a share
 * link; the store keeps the peers. Always 200 with a bencoded body.
 */
export const trackerRoute = (deps: TrackerRouteDeps) => {
  const now = deps.now ?? Date.now;
  const peerTtlMs = 2 * deps.intervalSeconds * 1000;
  const minIntervalSeconds = Math.max(1, Math.floor(deps.intervalSeconds / 2));
  const outcomes = new WeakMap<object, Outcome>();
  return middy<APIGatewayProxyEvent, TrackerResponse, Error, Context>()
    .use([trackerLog(deps, outcomes), trackerFailures(outcomes)])
    .handler(async (event, context) => {
      const path = parseTrackerPath(event.path ?? '');
      const outcome = outcomes.get(context);
      if (outcome && path) outcome.action = path.action;
      if (event.httpMethod !== 'GET' && event.httpMethod !== 'HEAD') throw new TrackerFailure('Use GET.');
      if (!path) throw new TrackerFailure('Not a tracker URL: use /announce/<token> or /scrape/<token>.', { permanent: true });
      const at = now();
      const { infoHash } = verifyTrackerToken(path.token, await deps.keyRing(), Math.floor(at / 1000));
      if (!deps.peers) throw new TrackerFailure('This proxy runs no tracker.', { permanent: true });
      if (path.action === 'scrape') {
        // BEP 48 lets a scrape name several swarms; every readable one must be this token's.
        const single = event.queryStringParameters?.info_hash;
        for (const given of event.multiValueQueryStringParameters?.info_hash ?? (single === undefined ? [] : [single])) checkQueryInfoHash(given, infoHash);
        return bencoded(scrapeResponse(infoHash, await deps.peers.scrape(infoHash, at, peerTtlMs)), event.httpMethod);
      }
      const req = parseAnnounce(event, { infoHash, maxPeers: deps.maxPeers });
      const result = await deps.peers.announce({
        infoHash,
        peer: { ip: req.ip, port: req.port, peerId: req.peerId, left: req.left },
        event: req.event,
        numwant: req.event === 'stopped' ? 0 : req.numwant,
        now: at,
        peerTtlMs,
      });
      const answer = announceResponse({
        intervalSeconds: deps.intervalSeconds,
        minIntervalSeconds,
        complete: result.complete,
        incomplete: result.incomplete,
        downloaded: result.downloaded,
        // The store leaves the announcing peer out; so does the route, whatever a store returns.
        peers: result.peers.filter((p) => !(p.ip === req.ip && p.port === req.port)).slice(0, req.numwant),
        compact: req.compact,
        noPeerId: req.noPeerId,
      });
      return bencoded(answer, event.httpMethod);
    });
};
