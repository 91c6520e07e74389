import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSettings } from './parseSettings';
import { SETTING_KEYS, type ProxySettings } from './ProxySettings';
import { SettingsError } from './SettingsError';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where `readSettings` looks for the settings file: infra/config.json (optional, not committed). */
export const DEFAULT_SETTINGS_FILE = join(PROJECT_ROOT, 'infra', 'config.json');

/** The project's cdk.json, whose `context` holds the documented defaults of every setting. */
export const CDK_JSON = join(PROJECT_ROOT, 'cdk.json');

/** The context key that names another settings file (`-c settingsFile=path`). */
export const SETTINGS_FILE_KEY = 'settingsFile';

/** Anything with CDK's `tryGetContext` (an App's or a Stack's node). */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/** The `context` object of a cdk.json, or none when the file is absent. */
export const readCdkJsonContext = (file: string = CDK_JSON): Record<string, unknown> => {
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
};

const readFile = (file: string, required: boolean): ProxySettings => {
  if (!existsSync(file)) {
    if (required) throw new SettingsError(SETTINGS_FILE_KEY, `names ${file}, which does not exist`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SettingsError(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SettingsError(file, 'must hold a JSON object');
  return parseSettings(parsed as Record<string, unknown>);
};

/**
 * The deployment settings, in three layers, each key taken from the highest that sets it:
 * 1. the defaults in cdk.json's `context`;
 * 2. the settings file (infra/config.json, or `-c settingsFile=path`), optional;
 * 3. `-c key=value` (and any other context source: cdk.context.json, ~/.cdk.json).
 *
 * CDK merges cdk.json and `-c` into one context, so a context value equal to cdk.json's own
 * counts as the default and gives way to the file; one that differs is an override.
 *
 * @example
 * const settings = readSettings(app.node); // cdk deploy -c servedBuckets='[{"name":"my-bucket"}]'
 */
export const readSettings = (context: ContextSource, file?: string, cdkJsonContext: Record<string, unknown> = readCdkJsonContext()): ProxySettings => {
  const named = context.tryGetContext(SETTINGS_FILE_KEY);
  const fromFile = readFile(file ?? (typeof named === 'string' && named !== '' ? named : DEFAULT_SETTINGS_FILE), file === undefined && !!named);
  const defaults: Record<string, unknown> = {};
  const overrides: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = context.tryGetContext(key);
    if (value === undefined) continue;
    const isDefault = key in cdkJsonContext && JSON.stringify(cdkJsonContext[key]) === JSON.stringify(value);
    (isDefault ? defaults : overrides)[key] = value;
  }
  return { ...parseSettings(defaults), ...fromFile, ...parseSettings(overrides) };
};
