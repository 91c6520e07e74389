/**
 * Share-link signing keys. The ring is flat JSON so Secrets Manager can
 * generate it: `{ "active": "k2", "k2": "<secret>", "k1": "<older secret>" }`.
 * Links name their key id; every listed key verifies, only `active` signs.
 * Rotation: add a key and point `active` at it. Revocation: delete a key id,
 * and every link signed with it stops working.
 */
export interface KeyRing {
  active: string;
  keys: ReadonlyMap<string, Buffer>;
}

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
export const MIN_SECRET_LENGTH = 32;

export class KeyRingError extends Error {
  constructor(message: string) {
    super(`Invalid link key ring: ${message}`);
    this.name = 'KeyRingError';
  }
}

/**
 * @example
 * parseKeyRing('{"active":"k1","k1":"' + 'x'.repeat(32) + '"}').active // 'k1'
 */
export const parseKeyRing = (json: string): KeyRing => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // Never echo the text: it is the secret.
    throw new KeyRingError('not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KeyRingError('must be a JSON object');
  const { active, ...rest } = parsed as Record<string, unknown>;
  if (typeof active !== 'string' || !KEY_ID.test(active)) throw new KeyRingError('"active" must name a key id ([A-Za-z0-9_-]{1,32})');
  const keys = new Map<string, Buffer>();
  for (const [id, secret] of Object.entries(rest)) {
    // Messages never repeat ids or values: a secret pasted in the wrong place must not reach a log.
    if (!KEY_ID.test(id)) throw new KeyRingError('a key id is not [A-Za-z0-9_-]{1,32}');
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new KeyRingError(`every key must be a string of at least ${MIN_SECRET_LENGTH} characters`);
    }
    keys.set(id, Buffer.from(secret, 'utf8'));
  }
  if (!keys.has(active)) throw new KeyRingError('"active" names a key id that is not in the ring');
  return { active, keys };
};
