import type { AppLogger } from '../../observability/logger';
import { cacheObjectKey, type CacheEntryId, type TorrentCache } from './torrentCache';

/**
 * A bounded in-process LRU in front of another cache: a warm Lambda container
 * (or the local runtime) answers repeat requests without the cache bucket
 * round trip. Keys include the object version/ETag, so an entry can never
 * outlive the version it describes; hits are validated by the caller like any
 * other cache hit.
 *
 * @example
 * const cache = withMemoryCache(s3TorrentCache(s3, bucket, 'torrents/'), 32 * 1024 * 1024);
 */
export const withMemoryCache = (inner: TorrentCache, maxBytes: number): TorrentCache => {
  const entries = new Map<string, Buffer>();
  let bytes = 0;
  const remember = (key: string, value: Buffer) => {
    if (value.length > maxBytes) return;
    const old = entries.get(key);
    if (old) {
      bytes -= old.length;
      entries.delete(key);
    }
    entries.set(key, value);
    bytes += value.length;
    for (const [k, v] of entries) {
      if (bytes <= maxBytes) break;
      entries.delete(k);
      bytes -= v.length;
    }
  };
  return {
    async get(id: CacheEntryId, log?: AppLogger) {
      const key = cacheObjectKey('', id);
      const hit = entries.get(key);
      if (hit) {
        // Refresh its place in the LRU order.
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const value = await inner.get(id, log);
      if (value) remember(key, value);
      return value;
    },
    async put(id: CacheEntryId, torrent: Buffer) {
      await inner.put(id, torrent);
      remember(cacheObjectKey('', id), torrent);
    },
  };
};
