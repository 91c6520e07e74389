/**
 * The Lambda's configuration: its schema (variable names, unions, defaults,
 * bounds), the parsers and the parsed types. infra/ imports this too.
 */
export { ConfigError } from './ConfigError';
export { loadConfig } from './loadConfig';
export { describeOneOf, isOneOf } from './oneOf';
export { parseBucketPolicies } from './parseBucketPolicies';
export {
  BOUNDS,
  DEFAULTS,
  ENV,
  FUNCTION_ROLES,
  LINK_KEY_ROLES,
  needsLinkKeys,
  needsPeerTable,
  PEER_TABLE_ROLES,
  SEED_MODES,
  SEGMENT_MARGIN,
  SEGMENT_TIMEOUT_SECONDS,
  SEEDING_MODES,
  SWARM_MODES,
  TORRENT_SOURCES,
  type Bounds,
  type FunctionRole,
  type SeedingMode,
  type SeedMode,
  type SwarmMode,
  type TorrentSource,
} from './schema';
export type { BucketPolicy, Config } from './types';
