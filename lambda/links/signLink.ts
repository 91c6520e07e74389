import { createHmac } from 'node:crypto';

export type LinkRoute = 'torrent' | 'seed';

/**
 * What a link grants: one object, every key under a prefix (each its own
 * torrent), or a folder (every key under a prefix as one multi-file torrent).
 */
export type LinkScope = { type: 'object'; key: string } | { type: 'prefix'; prefix: string } | { type: 'folder'; prefix: string };

export interface LinkClaims {
  route: LinkRoute;
  bucket: string;
  scope: LinkScope;
  /** Expiry, seconds since the epoch. */
  exp: number;
  kid: string;
  /** The object version the link is bound to (`v:<VersionId>` or `e:<ETag>`); unpinned links have none. */
  pin?: string;
  /** The swarm (info-hash, 40 hex) a seed token serves; the web seed asks that swarm before serving. */
  swarm?: string;
}

/**
 * The exact bytes signed. Every field is length-prefixed so no two claim sets
 * share a payload (a key ending in "|" cannot impersonate another field).
 */
export const linkPayload = (c: LinkClaims): Buffer => {
  const subject = c.scope.type === 'object' ? c.scope.key : c.scope.prefix;
  const fields = ['s3tp1', c.route, c.scope.type, c.bucket, subject, String(c.exp), c.kid];
  // Appended only when present, so unpinned links keep their signatures; the field count tells them apart.
  if (c.pin !== undefined) fields.push('pin', c.pin);
  if (c.swarm !== undefined) fields.push('swarm', c.swarm);
  // One string, encoded once: each prefix counts its field's UTF-8 bytes, so the bytes are those of encoding each field alone.
  let text = '';
  for (const f of fields) text += `${Buffer.byteLength(f, 'utf8')}:${f}`;
  return Buffer.from(text, 'utf8');
};

/**
 * HMAC-SHA256 of the claims, base64url without padding (43 characters).
 *
 * @example
 * signLink({ route: 'torrent', bucket: 'demo', scope: { type: 'object', key: 'a.bin' }, exp: 1e9, kid: 'k1' }, secret)
 */
export const signLink = (claims: LinkClaims, secret: Buffer): string => createHmac('sha256', secret).update(linkPayload(claims)).digest('base64url');
