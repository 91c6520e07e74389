/**
 * The token in our tracker's announce URL (`/announce/<token>`; scrape: `/scrape/<token>`):
 * `<kid>.<exp>.<sig>.<infohash>`, path-safe, so the URL carries no query of
 * its own (see `seedUrl`: libtorrent refuses loopback URLs with queries) and
 * the info-hash never depends on how API Gateway decodes a binary query.
 * The tracker takes the swarm from the token: only holders of a share link
 * for this torrent can announce to it, until the link expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TrackerFailure } from '../swarm/tracker/TrackerFailure';
import { KEY_ID, type KeyRing } from './keyRing';

export interface TrackerClaims {
  /** The swarm, 40 lowercase hex digits. */
  infoHash: string;
  /** Expiry, seconds since the epoch (the link's). */
  exp: number;
  kid: string;
}

/** Its own first field, so a link or seed signature can never pass as a tracker token (and the reverse). */
const DOMAIN = 's3tp-tracker1';
const INFO_HASH = /^[0-9a-f]{40}$/;
const SIG = /^[A-Za-z0-9_-]{43}$/;
const EXP = /^[1-9]\d{0,11}$/;
const DUMMY_SECRET = Buffer.alloc(32, 0x5a);

// One reason for every way a token can be wrong: the caller learns nothing about which byte failed.
const invalid = () => new TrackerFailure('This tracker URL is not valid. Fetch the torrent again with your share link.', { permanent: true });
const expired = () => new TrackerFailure('The share link of this torrent has expired. Ask the owner for a new link.', { permanent: true });

/** The exact bytes signed: every field length-prefixed, as in `linkPayload`. */
export const trackerPayload = (c: TrackerClaims): Buffer =>
  Buffer.concat(
    [DOMAIN, c.infoHash, String(c.exp), c.kid].map((f) => {
      const b = Buffer.from(f, 'utf8');
      return Buffer.concat([Buffer.from(`${b.length}:`), b]);
    }),
  );

const sign = (c: TrackerClaims, secret: Buffer): string => createHmac('sha256', secret).update(trackerPayload(c)).digest('base64url');

/**
 * Signs a tracker token for one swarm with the ring's active key.
 *
 * @example
 * trackerToken(ring, 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a', 1900000000)
 * // 'k1.1900000000.<43 base64url characters>.c12fe1c06bba254a9dc9f519b335aa7c1367a88a'
 */
export const trackerToken = (ring: KeyRing, infoHash: string, exp: number): string => {
  if (!INFO_HASH.test(infoHash)) throw new TypeError('trackerToken: the info-hash must be 40 lowercase hex digits');
  if (!Number.isSafeInteger(exp) || !EXP.test(String(exp))) throw new TypeError('trackerToken: exp must be a positive integer of at most 12 digits');
  const kid = ring.active;
  return `${kid}.${exp}.${sign({ infoHash, exp, kid }, ring.keys.get(kid)!)}.${infoHash}`;
};

/**
 * The announce URL of our tracker for one swarm; its scrape URL replaces
 * the last segment with `scrape` (BEP 48's convention).
 *
 * @example
 * trackerAnnounceUrl(ring, 'https://x.example/prod', infoHash, 1900000000)
 * // 'https://x.example/prod/announce/k1.1900000000.<sig>.<infohash>'
 */
export const trackerAnnounceUrl = (ring: KeyRing, baseUrl: string, infoHash: string, exp: number): string =>
  `${baseUrl}/announce/${trackerToken(ring, infoHash, exp)}`;

/**
 * Verifies a tracker token at `nowSeconds`: the signature first, in constant
 * time (also for an unknown key id), then the expiry, so "expired" is never
 * said of a forged token. Throws a permanent TrackerFailure.
 */
export const verifyTrackerToken = (token: string, ring: KeyRing, nowSeconds: number): TrackerClaims => {
  const [kid, exp, sig, infoHash, ...rest] = token.split('.');
  if (rest.length > 0 || !KEY_ID.test(kid) || !EXP.test(exp ?? '') || !SIG.test(sig ?? '') || !INFO_HASH.test(infoHash ?? '')) throw invalid();
  const secret = ring.keys.get(kid);
  const claims: TrackerClaims = { infoHash, exp: Number(exp), kid };
  const match = timingSafeEqual(Buffer.from(sign(claims, secret ?? DUMMY_SECRET), 'utf8'), Buffer.from(sig, 'utf8'));
  if (!match || !secret) throw invalid();
  if (claims.exp <= nowSeconds) throw expired();
  return claims;
};
