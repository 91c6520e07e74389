import { describeOneOf, isOneOf, SEED_MODES } from '../../lambda/config';
import { SETTING_KEYS, type ProxySettings, type ServedBucketInput } from './ProxySettings';
import { SettingsError } from './SettingsError';

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
    return t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  throw new SettingsError(key, 'must be an array (or a JSON / comma-separated string)');
};

const buckets = (key: string, v: unknown): ServedBucketInput[] => {
  const raw =
    typeof v === 'string'
      ? (() => {
          try {
            return JSON.parse(v) as unknown;
          } catch {
            throw new SettingsError(key, 'is not valid JSON');
          }
        })()
      : v;
  if (!Array.isArray(raw)) throw new SettingsError(key, 'must be a JSON array of buckets');
  // Fields are checked by the Lambda's own parser when the stack resolves the buckets.
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
  for (const key of SETTING_KEYS) {
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
        if (!isOneOf(SEED_MODES, v)) throw new SettingsError(key, `must be ${describeOneOf(SEED_MODES)}`);
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
      case 'seedDeferSeconds':
        // 0 turns fan-out (or the web seed's deferral) off; the Lambda's own parser checks the bounds at synth.
        out[key] = v === 0 || v === '0' ? 0 : int(key, v);
        break;
      default:
        out[key] = int(key, v);
    }
  }
  return out;
};
