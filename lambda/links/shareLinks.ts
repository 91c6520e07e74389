import { encodeKeyPath } from '../http/parseObjectPath';
import type { KeyRing } from './keyRing';
import { folderPinString, pinString, type FolderPin, type ObjectPin } from './objectPin';
import { signLink, type LinkScope } from './signLink';

export interface MintRequest {
  baseUrl: string;
  bucket: string;
  key: string;
  /** Sign for every key under this prefix instead of the one key. */
  prefix?: string;
  /** Pin the link to this object version (VersionId): its torrent describes exactly that version. */
  version?: string;
  /** A folder link: `key` is a prefix ending in `/`, shared as one multi-file torrent. */
  folder?: boolean;
  exp: number;
}

export interface MintedLink {
  url: string;
  /** The object's seed URL (unpinned). None for folder links: a folder's seed exists per snapshot, inside its torrent. */
  seedUrl?: string;
  exp: number;
  kid: string;
}

/**
 * The torrent URL of a share link: `/torrent/<bucket>/<key>?exp&kid&sig[&prefix]`.
 *
 * @example
 * torrentLinkUrl(ring, { baseUrl: 'https://x.example/prod', bucket: 'demo', key: 'a b.iso', exp: 1900000000 })
 * // 'https://x.example/prod/torrent/demo/a%20b.iso?exp=1900000000&kid=k1&sig=...'
 */
export const torrentLinkUrl = (ring: KeyRing, m: MintRequest): string => {
  const scope: LinkScope = m.folder
    ? { type: 'folder', prefix: m.key }
    : m.prefix !== undefined
      ? { type: 'prefix', prefix: m.prefix }
      : { type: 'object', key: m.key };
  const pin = m.version === undefined ? undefined : pinString({ versionId: m.version });
  const sig = signLink({ route: 'torrent', bucket: m.bucket, scope, exp: m.exp, kid: ring.active, pin }, ring.keys.get(ring.active)!);
  const query = new URLSearchParams({ exp: String(m.exp), kid: ring.active, sig });
  if (m.prefix !== undefined) query.set('prefix', m.prefix);
  if (m.version !== undefined) query.set('version', m.version);
  if (m.folder) query.set('folder', '1');
  return `${m.baseUrl}/torrent/${m.bucket}/${encodeKeyPath(m.key)}?${query.toString()}`;
};

/**
 * The web-seed URL put in a torrent's `url-list`. The signature sits in the
 * path (`/seed/<kid>.<exp>.<sig>[.<pin>]/<bucket>/<key>`): libtorrent's SSRF
 * mitigation refuses loopback/LAN web seeds that carry a query string. It is
 * scoped to the one object, expires with the link, and when `pin` is given
 * (every torrent the proxy serves) reads only that object version.
 */
export const seedUrl = (ring: KeyRing, baseUrl: string, bucket: string, key: string, exp: number, pin?: ObjectPin, swarm?: string): string => {
  const pinned = pin === undefined ? undefined : pinString(pin);
  const sig = signLink({ route: 'seed', bucket, scope: { type: 'object', key }, exp, kid: ring.active, pin: pinned, swarm }, ring.keys.get(ring.active)!);
  return `${baseUrl}/seed/${seedToken(ring.active, exp, sig, pinned, swarm)}/${bucket}/${encodeKeyPath(key)}`;
};

/** `kid.exp.sig`, then the pin (base64url) and the swarm's info-hash when bound to them. */
/**
 * The web seed of a folder torrent: a url-list entry ending in `/` (BEP 19),
 * to which clients append `<name>/<path>`; it sits at the folder's parent, so
 * each request names the object's own key. The token carries the folder's
 * snapshot (manifest digest and prefix): only the listed objects, at their
 * listed ETags, are served.
 */
export const folderSeedUrl = (ring: KeyRing, baseUrl: string, bucket: string, folder: FolderPin, exp: number, swarm: string): string => {
  const pinned = folderPinString(folder);
  const scope: LinkScope = { type: 'folder', prefix: folder.prefix };
  const sig = signLink({ route: 'seed', bucket, scope, exp, kid: ring.active, pin: pinned, swarm }, ring.keys.get(ring.active)!);
  const parent = folder.prefix.slice(0, folder.prefix.slice(0, -1).lastIndexOf('/') + 1);
  return `${baseUrl}/seed/${seedToken(ring.active, exp, sig, pinned, swarm)}/${bucket}/${encodeKeyPath(parent)}`;
};

export const seedToken = (kid: string, exp: number, sig: string, pin?: string, swarm?: string): string => {
  const parts = [kid, String(exp), sig];
  if (pin !== undefined) parts.push(Buffer.from(pin, 'utf8').toString('base64url'));
  if (pin !== undefined && swarm !== undefined) parts.push(swarm);
  return parts.join('.');
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Splits a seed token into link parameters (validation happens in verifyLink). */
export const parseSeedToken = (token: string): { kid?: string; exp?: string; sig?: string; pin?: string; swarm?: string } => {
  const [kid, exp, sig, pin64, swarm, ...rest] = token.split('.');
  if (rest.length > 0 || (pin64 !== undefined && !BASE64URL.test(pin64))) return { kid: '', exp: '', sig: '' };
  return { kid, exp, sig, pin: pin64 === undefined ? undefined : Buffer.from(pin64, 'base64url').toString('utf8'), swarm };
};

/** Mints a share link: the torrent URL and the seed URL its torrent will carry. */
export const mintShareLink = (ring: KeyRing, m: MintRequest): MintedLink => ({
  url: torrentLinkUrl(ring, m),
  ...(m.folder ? {} : { seedUrl: seedUrl(ring, m.baseUrl, m.bucket, m.key, m.exp) }),
  exp: m.exp,
  kid: ring.active,
});
