import { createHash } from 'node:crypto';
import type { CacheIdentity, FolderSnapshot } from '../torrents/cache/torrentCache';
import { torrentIdentity } from '../torrents/torrentIdentity';
import type { FanoutSource } from './fanoutEvents';
import type { ServedSource } from './resolveSource';

/** The cache entry a build of `source` writes: the same identity a single-pass build of it uses. */
export const entryOf = (source: FanoutSource, isPrivate: boolean): CacheIdentity | FolderSnapshot =>
  source.kind === 'object'
    ? torrentIdentity(
        source.bucket,
        source.key,
        {
          size: source.size,
          etag: source.etag,
          versionId: source.versionId,
          lastModified: source.lastModified === undefined ? undefined : new Date(source.lastModified),
        },
        isPrivate,
      )
    : { bucket: source.bucket, prefix: source.prefix, manifest: source.manifest, part: 'torrent', ...(isPrivate ? { private: true } : {}) };

/** The entry of a served source: private exactly when its bucket's swarm is. */
export const entryOfServed = (source: ServedSource): CacheIdentity | FolderSnapshot => entryOf(source, source.target.policy.swarm === 'private');

/**
 * A build id for an execution started now: the entry's digest (so logs and
 * segment keys name the object) and the start time (so a rebuild after a
 * failure gets a new execution name). 54 characters.
 *
 * @example
 * buildIdFor(entryOf(source, true), Date.now()) // '3f1c…(40 hex)-1764626400000'
 */
export const buildIdFor = (entry: CacheIdentity | FolderSnapshot, startedAt: number): string =>
  `${createHash('sha256').update(JSON.stringify(entry)).digest('hex').slice(0, 40)}-${startedAt}`;
