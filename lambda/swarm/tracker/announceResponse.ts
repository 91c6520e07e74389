import { bencode, type BValue } from '../../metainfo/bencode';
import type { PeerRecord } from '../peerStore';
import { peerBytes } from './peerBytes';

export interface AnnounceAnswer {
  intervalSeconds: number;
  /** Clients must not announce more often than this (on their own, between intervals). */
  minIntervalSeconds: number;
  complete: number;
  incomplete: number;
  downloaded: number;
  peers: PeerRecord[];
  /** BEP 23 compact peers (`peers` IPv4, `peers6` IPv6, BEP 7), else a list of dictionaries. */
  compact: boolean;
  /** Leave `peer id` out of the dictionaries of a non-compact answer. */
  noPeerId?: boolean;
}

/**
 * The bencoded answer to an announce. Compact: `peers` holds 6 bytes per
 * IPv4 peer and `peers6` (present only when there are any) 18 bytes per
 * IPv6 peer. Non-compact: one list of `{ ip, port, peer id }` for both.
 *
 * @example
 * announceResponse({ intervalSeconds: 60, minIntervalSeconds: 30, complete: 1, incomplete: 0, downloaded: 1, compact: true,
 *   peers: [{ ip: '10.0.0.1', port: 6881, peerId: 'x', left: 0, updatedAt: 0 }] })
 * // d8:completei1e10:downloadedi1e10:incompletei0e8:intervali60e12:min intervali30e5:peers6:\x0a\x00\x00\x01\x1a\xe1e
 */
export const announceResponse = (a: AnnounceAnswer): Buffer => {
  const counts = {
    interval: a.intervalSeconds,
    'min interval': a.minIntervalSeconds,
    complete: a.complete,
    incomplete: a.incomplete,
    downloaded: a.downloaded,
  };
  if (!a.compact) {
    const peers: BValue[] = a.peers.map((p) => ({ ip: p.ip, port: p.port, 'peer id': a.noPeerId ? undefined : p.peerId }));
    return bencode({ ...counts, peers });
  }
  const v4: Buffer[] = [];
  const v6: Buffer[] = [];
  for (const p of a.peers) {
    const bytes = peerBytes(p.ip, p.port);
    if (bytes?.length === 6) v4.push(bytes);
    else if (bytes) v6.push(bytes);
  }
  return bencode({ ...counts, peers: Buffer.concat(v4), peers6: v6.length > 0 ? Buffer.concat(v6) : undefined });
};
