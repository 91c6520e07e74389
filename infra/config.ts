/**
 * Deployment settings for the stack: infra/config.json (optional, not
 * committed) overlaid by CDK context (`cdk.json` or `-c key=value`).
 * Values from `-c` arrive as strings, so every reader accepts both forms.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One served bucket as written in config; missing fields take the Lambda's defaults. */
export interface ServedBucketInput {
  name: string;
  /** Defaults to the stack account. */
  expectedOwner?: string;
  requesterPays?: boolean;
  prefix?: string;
  source?: 'auto' | 'store' | 'generate';
}

export interface ProxySettings {
  account?: string;
  region?: string;
  stackName?: string;
  servedBuckets?: ServedBucketInput[];
  linkDefaultTtlSeconds?: number;
  linkMaxTtlSeconds?: number;
  trackers?: string[];
  seedMode?: 'redirect' | 'proxy';
  alarmEmail?: string;
  throttlingRateLimit?: number;
  throttlingBurstLimit?: number;
  cacheExpirationDays?: number;
  /** Create the account-wide API Gateway CloudWatch Logs role (needed once per account and region). */
  apiGatewayCloudWatchRole?: boolean;
  /** SYNC_GENERATE_MAX_BYTES: larger objects are built in the background (202 until done). Lambda default 1 GiB. */
  syncGenerateMaxBytes?: number;
  /** SEGMENT_BYTES: larger objects are hashed in parallel segments of this size; 0 = never. Lambda default 64 GiB. */
  segmentBytes?: number;
}

export class SettingsError extends Error {
  constructor(readonly key: string, problem: string) {
    super(`Invalid deployment setting "${key}": ${problem}`);
    this.name = 'SettingsError';
  }
}

/** Where `readSettings` looks for the settings file. */
export const DEFAULT_SETTINGS_FILE = join(fileURLToPath(new URL('.', import.meta.url)), 'config.json');

const KEYS: readonly (keyof ProxySettings)[] = [
  'account',
  'region',
  'stackName',
  'servedBuckets',
  'linkDefaultTtlSeconds',
  'linkMaxTtlSeconds',
  'trackers',
  'seedMode',
  'alarmEmail',
  'throttlingRateLimit',
  'throttlingBurstLimit',
  'cacheExpirationDays',
  'apiGatewayCloudWatchRole',
  'syncGenerateMaxBytes',
  'segmentBytes',
];

const str = (key: string, v: unknown): string => {
  if (typeof v !== 'string' || v === '') throw new SettingsError(key, 'must be a non-empty string');
  return v;
};

const num = (key: string, v: unknown): number => {
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new SettingsError(key, `must be a positive number, got ${JSON.stringify(v)}`);
  return n;
};

const int = (key: string, v: unknown): number => {
  const n = num(key, v);
  if (!Number.isInteger(n)) throw new SettingsError(key, `must be a whole number, got ${n}`);
  return n;
};

const bool = (key: string, v: unknown): boolean => {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new SettingsError(key, 'must be true or false');
};

const list = (key: string, v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        return list(key, JSON.parse(t));
      } catch (e) {
        if (e instanceof SettingsError) throw e;
        throw new SettingsError(key, 'is not valid JSON');
      }
    }
    return t.split(',').map((s) => s.trim()).filter(Boolean);
  }
  throw new SettingsError(key, 'must be an array (or a JSON / comma-separated string)');
};

const buckets = (key: string, v: unknown): ServedBucketInput[] => {
  const raw = typeof v === 'string' ? (() => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      throw new SettingsError(key, 'is not valid JSON');
    }
  })() : v;
  if (!Array.isArray(raw)) throw new SettingsError(key, 'must be a JSON array of buckets');
  return raw.map((b, i) => {
    if (typeof b !== 'object' || b === null || typeof (b as { name?: unknown }).name !== 'string') {
      throw new SettingsError(`${key}[${i}]`, 'must be an object with a "name"');
    }
    return b as ServedBucketInput;
  });
};

/** Checks and normalises one raw settings object (file or context). Unknown keys are ignored. */
export const parseSettings = (raw: Record<string, unknown>): ProxySettings => {
  const out: ProxySettings = {};
  for (const key of KEYS) {
    const v = raw[key];
    if (v === undefined || v === null || v === '') continue;
    switch (key) {
      case 'account':
        if (!/^\d{12}$/.test(String(v))) throw new SettingsError(key, 'must be a 12-digit AWS account id');
        out.account = String(v);
        break;
      case 'region':
      case 'stackName':
        out[key] = str(key, v);
        break;
      case 'alarmEmail':
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(str(key, v))) throw new SettingsError(key, 'must be an email address');
        out.alarmEmail = v as string;
        break;
      case 'seedMode':
        if (v !== 'redirect' && v !== 'proxy') throw new SettingsError(key, 'must be "redirect" or "proxy"');
        out.seedMode = v;
        break;
      case 'servedBuckets':
        out.servedBuckets = buckets(key, v);
        break;
      case 'trackers':
        out.trackers = list(key, v).map((t) => str(key, t));
        break;
      case 'apiGatewayCloudWatchRole':
        out.apiGatewayCloudWatchRole = bool(key, v);
        break;
      case 'throttlingRateLimit':
        out.throttlingRateLimit = num(key, v);
        break;
      case 'segmentBytes':
        // 0 turns fan-out off; the Lambda's own parser checks the upper bound at synth.
        out.segmentBytes = v === 0 || v === '0' ? 0 : int(key, v);
        break;
      default:
        out[key] = int(key, v);
    }
  }
  return out;
};

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
  for (const key of KEYS) fromContext[key] = context.tryGetContext(key);
  return { ...fromFile, ...parseSettings(fromContext) };
};
