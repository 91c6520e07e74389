/**
 * The tracker's memory: which peers are in each swarm (by info-hash), the
 * swarm's counters, and the web seed's deferral markers. One implementation
 * (DynamoDB: `dynamoPeerStore.ts`), used against AWS and, locally, against an
 * embedded DynamoDB-compatible server.
 */

/** One peer as the tracker keeps it: keyed by address and port. */
export interface PeerRecord {
  /** IPv4 dotted quad or IPv6 text form, as the request arrived from. */
  ip: string;
  port: number;
  /** The peer id as sent (opaque; 20 bytes in the protocol, kept as received). */
  peerId: string;
  /** Bytes the peer still needs (0: a seeder). */
  left: number;
  /** Last announce, ms since the epoch. */
  updatedAt: number;
}

export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'empty';

export interface AnnounceInput {
  infoHash: string; // 40 lowercase hex characters
  peer: Omit<PeerRecord, 'updatedAt'>;
  event: AnnounceEvent;
  /** Peers to return at most (already capped by the caller). */
  numwant: number;
  /** ms since the epoch. */
  now: number;
  /** A peer that has not announced for this long is gone (two intervals). */
  peerTtlMs: number;
}

export interface SwarmCounts {
  /** Peers with left = 0, announced within the TTL. */
  complete: number;
  /** Peers with left > 0, announced within the TTL. */
  incomplete: number;
  /** `completed` events ever seen. */
  downloaded: number;
  /** Bytes the web seed served for this info-hash (proxy mode) or redirects it issued (redirect mode: bytes asked for). */
  seedBytes: number;
}

/**
 * `complete`/`incomplete` count the announcing peer as it is after this
 * announce (not at all after `stopped`); `downloaded` and `seedBytes` are as
 * read, which may or may not include this announce's own `completed`.
 */
export interface AnnounceResult extends SwarmCounts {
  /** Other live peers (never the announcing address+port itself), at most numwant, chosen at random. */
  peers: PeerRecord[];
}

/** What the web seed asks before serving: the live peers and when it first deferred each requester address. */
export interface SwarmView extends SwarmCounts {
  peers: PeerRecord[];
  /** Requester address -> ms since the epoch of the first deferral (markers expire on their own). */
  deferredSince: Record<string, number>;
}

export interface PeerStore {
  /** Records (or, on `stopped`, removes) the peer and returns the others. At most two store calls. */
  announce(input: AnnounceInput): Promise<AnnounceResult>;
  /** Counts for one swarm (BEP 48 scrape). */
  scrape(infoHash: string, now: number, peerTtlMs: number): Promise<SwarmCounts>;
  /** The swarm as the web seed sees it, in one store call. */
  view(infoHash: string, now: number, peerTtlMs: number): Promise<SwarmView>;
  /** Notes the first deferral of `ip` (kept if one exists) for `ttlMs`; returns the time it started. */
  markDeferred(infoHash: string, ip: string, now: number, ttlMs: number): Promise<number>;
  /** Adds to the bytes the web seed served for this swarm. */
  addSeedBytes(infoHash: string, bytes: number): Promise<void>;
}
