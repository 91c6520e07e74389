import type { Config } from '../config';
import { HttpError } from '../http/HttpError';
import type { AppLogger } from '../observability/logger';
import type { ProxyMetrics } from '../observability/metrics';
import type { AuthorizedObject } from '../routes/middleware/authorizeObjectRequest';
import type { PeerStore } from './peerStore';
import { decideSeed, needsDeferralMark, type SeedDecision } from './seedPolicy';

export interface SwarmGateDeps {
  peers?: PeerStore;
  config: Pick<Config, 'swarm'>;
  metrics: ProxyMetrics;
}

/** Deferral markers outlive the deferral itself, so one download is deferred once, not again and again. */
const MARKER_TTL_MS = 60 * 60 * 1000;

/** How fast a deferred requester is served in proxy mode: enough to finish alone, slow enough that peers carry it. */
export const DEFERRED_BYTES_PER_SECOND = 256 * 1024;

/**
 * What the web seed does for a swarm-bound token under `seeding: fallback`:
 * step back while the swarm has seeders and this requester has been deferred
 * for less than SEED_DEFER_SECONDS; serve normally otherwise. A failing peer
 * store never blocks a download (the seed serves).
 */
export const swarmDecision = async (
  deps: SwarmGateDeps,
  target: AuthorizedObject,
  requester: string,
  log: AppLogger,
  now = Date.now(),
): Promise<SeedDecision> => {
  const infoHash = target.link.swarm;
  if (!deps.peers || !infoHash || target.policy.seeding === 'always') return { serve: true, seeders: 0 };
  const { swarm } = deps.config;
  const peerTtlMs = 2 * swarm.intervalSeconds * 1000;
  try {
    const view = await deps.peers.view(infoHash, now, peerTtlMs);
    let since = view.deferredSince[requester];
    if (needsDeferralMark(view, requester, swarm.minSeeders)) since = await deps.peers.markDeferred(infoHash, requester, now, MARKER_TTL_MS);
    const decision = decideSeed({ view, requester, now, minSeeders: swarm.minSeeders, deferMs: swarm.deferSeconds * 1000, deferredSince: since });
    if (!decision.serve) deps.metrics.seedDeferred();
    return decision;
  } catch (err) {
    log.warn('peer store unavailable; the web seed serves', { cause: err });
    return { serve: true, seeders: 0 };
  }
};

/** Redirect mode cannot slow S3 down: a deferral is 503 SwarmCanServe with Retry-After (libtorrent waits that long). */
export const deferralError = (d: Extract<SeedDecision, { serve: false }>) =>
  new HttpError(
    503,
    'SwarmCanServe',
    `${d.seeders} peer(s) in this torrent's swarm have the whole object: fetch from them; the web seed serves again in ${d.retryAfterSeconds} s.`,
    {
      headers: { 'Retry-After': String(d.retryAfterSeconds) },
    },
  );

/** Proxy mode: a deferred requester gets its bytes at DEFERRED_BYTES_PER_SECOND, never an error (Transmission pauses a failing web seed for 2 minutes). */
export async function* paced(
  source: AsyncIterable<Uint8Array>,
  bytesPerSecond: number,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): AsyncGenerator<Uint8Array> {
  const started = Date.now();
  let sent = 0;
  for await (const chunk of source) {
    for (let at = 0; at < chunk.length; at += 16 * 1024) {
      const piece = chunk.subarray(at, Math.min(chunk.length, at + 16 * 1024));
      const due = started + (sent / bytesPerSecond) * 1000 - Date.now();
      if (due > 0) await sleep(due);
      sent += piece.length;
      yield piece;
    }
  }
}

/** Passes chunks through and reports how many bytes actually went out, however the stream ends. */
export async function* counted(source: AsyncIterable<Uint8Array>, report: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  try {
    for await (const chunk of source) {
      total += chunk.length;
      yield chunk;
    }
  } finally {
    report(total);
  }
}

/** Adds bytes the web seed sent (or redirected to) to the swarm's counter, without delaying the answer. */
export const countSeedBytes = (deps: SwarmGateDeps, target: AuthorizedObject, bytes: number, log: AppLogger): void => {
  deps.metrics.seedBytes(bytes);
  const infoHash = target.link.swarm;
  if (!deps.peers || !infoHash || bytes <= 0) return;
  deps.peers.addSeedBytes(infoHash, bytes).catch((err) => log.warn('could not count web seed bytes', { cause: err }));
};
