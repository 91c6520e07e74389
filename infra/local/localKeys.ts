/**
 * The local runtime's share-link key ring: generated once, kept in
 * `<dataDir>/link-keys.json` (mode 0600) so links survive a restart.
 * Delete the file to revoke every local link.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseKeyRing } from '../../lambda/links/keyRing';

export const localKeysPath = (dataDir: string) => join(dataDir, 'link-keys.json');

/** The key ring JSON, created with one fresh 256-bit key on first use. */
export const loadOrCreateLocalKeys = (dataDir: string): string => {
  const file = localKeysPath(dataDir);
  if (existsSync(file)) {
    const json = readFileSync(file, 'utf8');
    parseKeyRing(json); // fail here, clearly, if someone edited it wrong
    return json;
  }
  mkdirSync(dirname(file), { recursive: true });
  const json = JSON.stringify({ active: 'local1', local1: randomBytes(32).toString('base64url') }, null, 2);
  writeFileSync(file, json + '\n', { mode: 0o600 });
  return json;
};
