import type { SwarmView } from './peerStore';

/** The end of a deferral window in which a retry is served rather than deferred again. */
export const RETRY_SLACK_MS = 5000;

/** Serve the bytes, or step back while the swarm can carry the load. */
export type SeedDecision = { serve: true; seeders: number } | { serve: false; seeders: number; retryAfterSeconds: number };

export interface SeedPolicyInput {
  view: SwarmView;
  /** The requester's address (API Gateway's source IP). */
  requester: string;
  now: number;
  /** Complete peers needed before the web seed defers. */
  minSeeders: number;
  /** How long one requester address is deferred at most. */
  deferMs: number;
  /** When this requester was first deferred (from the view, or just recorded). */
  deferredSince: number | undefined;
}

/**
 * The web seed's `fallback` policy. While at least `minSeeders` complete
 * peers are in the swarm, a requester is answered 503 with Retry-After for at
 * most `deferMs` from its first deferral, so it takes the bytes from peers;
 * after that, or when the swarm has too few seeders (a lone downloader, the
 * first of a swarm), it is served at full speed. A client whose listed peers
 * cannot be reached therefore waits at most `deferMs`, never forever.
 *
 * @example
 * decideSeed({ view, requester: '203.0.113.7', now, minSeeders: 1, deferMs: 30_000, deferredSince: undefined })
 */
export const decideSeed = (o: SeedPolicyInput): SeedDecision => {
  const seeders = o.view.peers.filter((p) => p.left === 0).length;
  if (seeders < o.minSeeders) return { serve: true, seeders };
  const since = o.deferredSince ?? o.now;
  const remaining = since + o.deferMs - o.now;
  // A retry in the window's last seconds is served: libtorrent waits at least 30 s (urlseed_wait_retry)
  // between web-seed attempts, so one more deferral there would cost it a whole extra wait.
  if (remaining <= RETRY_SLACK_MS) return { serve: true, seeders };
  return { serve: false, seeders, retryAfterSeconds: Math.max(1, Math.ceil(remaining / 1000)) };
};

/** Seeders needed before deferring, and whether the requester is already deferred: the caller records a first deferral. */
export const needsDeferralMark = (view: SwarmView, requester: string, minSeeders: number): boolean =>
  view.deferredSince[requester] === undefined && view.peers.filter((p) => p.left === 0).length >= minSeeders;
