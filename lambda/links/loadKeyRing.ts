import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../config';
import { parseKeyRing, type KeyRing } from './keyRing';

/** How long a fetched ring is reused before Secrets Manager is asked again (rotation takes effect within this). */
export const KEY_RING_TTL_MS = 5 * 60 * 1000;

export type KeyRingProvider = () => Promise<KeyRing>;

/**
 * A cached key-ring provider: inline JSON (local runtime) or a Secrets
 * Manager secret fetched once and refreshed every five minutes. Concurrent
 * callers share one fetch.
 */
export const createKeyRingProvider = (links: Config['links'], region: string, now: () => number = Date.now): KeyRingProvider => {
  if (links.keysJson) {
    const ring = parseKeyRing(links.keysJson);
    return async () => ring;
  }
  const secretId = links.keysSecretArn;
  // The generate function has no link keys (loadConfig requires them for every other role): it never signs.
  if (!secretId) return async () => Promise.reject(new Error('no key ring configured'));
  const client = new SecretsManagerClient({ region });
  let cached: { ring: KeyRing; at: number } | undefined;
  let inFlight: Promise<KeyRing> | undefined;
  return async () => {
    if (cached && now() - cached.at < KEY_RING_TTL_MS) return cached.ring;
    inFlight ??= client
      .send(new GetSecretValueCommand({ SecretId: secretId }))
      .then((out) => {
        const ring = parseKeyRing(out.SecretString ?? '');
        cached = { ring, at: now() };
        return ring;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
};
