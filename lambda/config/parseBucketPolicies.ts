import { bucketNameProblem } from '../s3/bucketNameProblem';
import { ConfigError } from './ConfigError';
import { describeOneOf, isOneOf } from './oneOf';
import { DEFAULTS, ENV, SEEDING_MODES, SWARM_MODES, TORRENT_SOURCES, type TorrentSource } from './schema';
import type { BucketPolicy } from './types';

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Parses SERVED_BUCKETS: a JSON array of
 * `{ "name", "expectedOwner", "requesterPays"?, "prefix"?, "source"?, "swarm"?, "seeding"?, "prebuild"? }`;
 * `prebuild` is `true` (every served key) or `{ "prefixes": [...] }` (keys under those, each under `prefix`).
 *
 * @example
 * parseBucketPolicies('[{"name":"demo","expectedOwner":"123456789000"}]')
 */
export const parseBucketPolicies = (raw: string | undefined): Map<string, BucketPolicy> => {
  const name = ENV.SERVED_BUCKETS;
  if (!raw) throw new ConfigError(name, 'is required (JSON array of served buckets)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError(name, 'must be a non-empty JSON array');
  const out = new Map<string, BucketPolicy>();
  parsed.forEach((entry, i) => {
    const at = `${name}[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new ConfigError(at, 'must be an object');
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string') throw new ConfigError(`${at}.name`, 'must be a string');
    const nameProblem = bucketNameProblem(e.name);
    if (nameProblem) throw new ConfigError(`${at}.name`, `is not a valid S3 bucket name: it ${nameProblem}`);
    if (typeof e.expectedOwner !== 'string' || !ACCOUNT_ID.test(e.expectedOwner)) {
      throw new ConfigError(`${at}.expectedOwner`, 'must be a 12-digit AWS account id');
    }
    const source = e.source ?? DEFAULTS.torrentSource;
    if (!isOneOf(TORRENT_SOURCES, source)) throw new ConfigError(`${at}.source`, `must be ${describeOneOf(TORRENT_SOURCES)}`);
    const swarm = e.swarm ?? DEFAULTS.swarmMode;
    if (!isOneOf(SWARM_MODES, swarm)) throw new ConfigError(`${at}.swarm`, `must be ${describeOneOf(SWARM_MODES)}`);
    const seeding = e.seeding ?? DEFAULTS.seedingMode;
    if (!isOneOf(SEEDING_MODES, seeding)) throw new ConfigError(`${at}.seeding`, `must be ${describeOneOf(SEEDING_MODES)}`);
    if (e.requesterPays !== undefined && typeof e.requesterPays !== 'boolean') throw new ConfigError(`${at}.requesterPays`, 'must be a boolean');
    if (e.prefix !== undefined && typeof e.prefix !== 'string') throw new ConfigError(`${at}.prefix`, 'must be a string');
    if (out.has(e.name)) throw new ConfigError(`${at}.name`, `lists "${e.name}" twice`);
    const prefix = (e.prefix as string | undefined) ?? '';
    const prebuild = parsePrebuild(`${at}.prebuild`, e.prebuild, prefix, source);
    out.set(e.name, {
      name: e.name,
      expectedOwner: e.expectedOwner,
      requesterPays: e.requesterPays === true,
      prefix,
      source,
      swarm,
      seeding,
      ...(prebuild ? { prebuild } : {}),
    });
  });
  return out;
};

/** `prebuild`: absent or false (off), true (every served key), or `{ prefixes }` each under the served prefix. */
const parsePrebuild = (at: string, raw: unknown, prefix: string, source: TorrentSource): BucketPolicy['prebuild'] => {
  if (raw === undefined || raw === false) return undefined;
  if (source === 'store') throw new ConfigError(at, 'needs a bucket whose source builds torrents ("auto" or "generate"), not "store"');
  if (raw === true) return { prefixes: [prefix] };
  const prefixes = typeof raw === 'object' && raw !== null ? (raw as { prefixes?: unknown }).prefixes : undefined;
  if (!Array.isArray(prefixes) || prefixes.length === 0 || !prefixes.every((p) => typeof p === 'string')) {
    throw new ConfigError(at, 'must be true, false or { "prefixes": [non-empty list of strings] }');
  }
  for (const p of prefixes as string[]) {
    if (!p.startsWith(prefix)) throw new ConfigError(`${at}.prefixes`, `has "${p}", which is not under the served prefix "${prefix}"`);
  }
  return { prefixes: [...new Set(prefixes as string[])] };
};
