import { timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http/HttpError';
import { KEY_ID, type KeyRing } from './keyRing';
import { parseFolderPin, parsePin, type FolderPin, type ObjectPin } from './objectPin';
import { signLink, type LinkClaims, type LinkRoute, type LinkScope } from './signLink';

/** Link parameters as they arrive, before any check. */
export interface PresentedLink {
  exp?: string;
  kid?: string;
  sig?: string;
  /** Present only on prefix-scoped links. */
  prefix?: string;
  /** `1` on folder links (the path's key is the folder's prefix). */
  folder?: string;
  /** Present only on version-pinned links (`v:<VersionId>` or `e:<ETag>`). */
  pin?: string;
  /** Present only on seed tokens bound to a swarm (info-hash, 40 hex). */
  swarm?: string;
}

export interface VerifiedLink {
  exp: number;
  kid: string;
  scope: LinkScope;
  /** The object version the link is bound to, when it is. */
  pin?: ObjectPin;
  /** The folder snapshot a folder's seed token serves. */
  folder?: FolderPin;
  /** The swarm (info-hash) a seed token serves, when it is bound to one. */
  swarm?: string;
}

const SIG = /^[A-Za-z0-9_-]{43}$/;
const EXP = /^[1-9]\d{0,11}$/;

const required = () => new HttpError(401, 'LinkRequired', 'This URL needs a signed share link (exp, kid and sig). Ask the object owner for a link.');
// One message for every way a link can be wrong: the caller learns nothing about which byte failed.
const invalid = () => new HttpError(403, 'InvalidLink', 'The share link is not valid for this object.');
const expired = () => new HttpError(403, 'LinkExpired', 'The share link has expired. Ask the object owner for a new one.');

/**
 * Verifies a presented link for `route`, `bucket` and `key` at time `now`
 * (seconds). Signature first, in constant time; expiry only for a genuine
 * link, so "expired" is never said of a forged one.
 */
export const verifyLink = (
  presented: PresentedLink,
  target: { route: LinkRoute; bucket: string; key: string },
  ring: KeyRing,
  nowSeconds: number,
): VerifiedLink => {
  const { exp, kid, sig, prefix, pin, swarm, folder } = presented;
  if (exp === undefined && kid === undefined && sig === undefined) throw required();
  if (!exp || !kid || !sig || !EXP.test(exp) || !KEY_ID.test(kid) || !SIG.test(sig)) throw invalid();
  const folderPin = pin === undefined ? undefined : parseFolderPin(pin);
  const objectPin = pin === undefined || folderPin ? undefined : parsePin(pin);
  if (pin !== undefined && !objectPin && !folderPin) throw invalid();
  if (swarm !== undefined && !/^[0-9a-f]{40}$/.test(swarm)) throw invalid();
  if (folder !== undefined && (folder !== '1' || prefix !== undefined || pin !== undefined || !target.key.endsWith('/'))) throw invalid();
  const scope: LinkScope = folderPin
    ? { type: 'folder', prefix: folderPin.prefix }
    : folder !== undefined
      ? { type: 'folder', prefix: target.key }
      : prefix !== undefined
        ? { type: 'prefix', prefix }
        : { type: 'object', key: target.key };
  if (scope.type === 'prefix' && (scope.prefix.length === 0 || !target.key.startsWith(scope.prefix))) throw invalid();
  // A folder's seed token opens only keys inside its folder (the manifest decides which), or the folder's
  // name itself: libtorrent reads a one-file folder torrent as single-file and asks `<url-list><name>`.
  const inside = target.key.startsWith(folderPin?.prefix ?? '') && target.key !== folderPin?.prefix;
  if (folderPin && !inside && target.key !== folderPin.prefix.slice(0, -1)) throw invalid();
  const secret = ring.keys.get(kid);
  const claims: LinkClaims = { route: target.route, bucket: target.bucket, scope, exp: Number(exp), kid, pin, swarm };
  // Compute and compare even for an unknown key id, so timing does not reveal which ids exist.
  const expected = Buffer.from(signLink(claims, secret ?? DUMMY_SECRET), 'utf8');
  const given = Buffer.from(sig, 'utf8');
  const match = timingSafeEqual(expected, given);
  if (!match || !secret) throw invalid();
  if (claims.exp <= nowSeconds) throw expired();
  return { exp: claims.exp, kid, scope, pin: objectPin, swarm, folder: folderPin };
};

const DUMMY_SECRET = Buffer.alloc(32, 0x5a);
