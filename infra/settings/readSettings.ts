import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSettings } from './parseSettings';
import { SETTING_KEYS, type ProxySettings } from './ProxySettings';
import { SettingsError } from './SettingsError';

/** Where `readSettings` looks for the settings file: infra/config.json (optional, not committed). */
export const DEFAULT_SETTINGS_FILE = join(fileURLToPath(new URL('..', import.meta.url)), 'config.json');

/** Anything with CDK's `tryGetContext` (an App's or a Stack's node). */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/**
 * Reads the settings file (if present) and overlays CDK context on it.
 *
 * @example
 * const settings = readSettings(app.node); // -c servedBuckets='[{"name":"my-bucket"}]'
 */
export const readSettings = (context: ContextSource, file: string = DEFAULT_SETTINGS_FILE): ProxySettings => {
  let fromFile: ProxySettings = {};
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SettingsError(file, `is not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SettingsError(file, 'must hold a JSON object');
    fromFile = parseSettings(parsed as Record<string, unknown>);
  }
  const fromContext: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) fromContext[key] = context.tryGetContext(key);
  return { ...fromFile, ...parseSettings(fromContext) };
};
