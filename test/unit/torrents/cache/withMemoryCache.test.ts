import { cacheObjectKey, type CacheIdentity, type TorrentCache } from '../../../../lambda/torrents/cache/torrentCache';
import { withMemoryCache } from '../../../../lambda/torrents/cache/withMemoryCache';

const id = (key: string, etag = '"e1"'): CacheIdentity => ({ bucket: 'b', key, etag, size: 10, pieceLength: 16384, name: key });

/** A cache that counts its reads and keeps what it is given. */
const countingCache = () => {
  const store = new Map<string, Buffer>();
  const calls = { get: 0, put: 0 };
  const cache: TorrentCache = {
    get: async (i) => {
      calls.get++;
      return store.get(cacheObjectKey('', i));
    },
    put: async (i, t) => {
      calls.put++;
      store.set(cacheObjectKey('', i), t);
    },
  };
  return { cache, calls, store };
};

describe('withMemoryCache', () => {
  test('answers a repeat read from memory without asking the inner cache', async () => {
    const inner = countingCache();
    const cache = withMemoryCache(inner.cache, 1000);
    await cache.put(id('a'), Buffer.from('torrent-a'));
    const got = [await cache.get(id('a')), await cache.get(id('a'))];
    expect({ got: got.map(String), calls: inner.calls }).toEqual({ got: ['torrent-a', 'torrent-a'], calls: { get: 0, put: 1 } });
  });

  test('never serves an entry for another version of the same key', async () => {
    const inner = countingCache();
    const cache = withMemoryCache(inner.cache, 1000);
    await cache.put(id('a', '"v1"'), Buffer.from('old'));
    expect(await cache.get(id('a', '"v2"'))).toBeUndefined();
    expect(inner.calls.get).toBe(1);
  });

  test('evicts the least recently used entries beyond its byte budget', async () => {
    const inner = countingCache();
    const cache = withMemoryCache(inner.cache, 20);
    await cache.put(id('a'), Buffer.alloc(8, 1));
    await cache.put(id('b'), Buffer.alloc(8, 2));
    await cache.get(id('a')); // a is now the most recent
    await cache.put(id('c'), Buffer.alloc(8, 3)); // 24 bytes: b goes
    inner.calls.get = 0;
    await cache.get(id('a'));
    await cache.get(id('c'));
    expect(inner.calls.get).toBe(0);
    await cache.get(id('b'));
    expect(inner.calls.get).toBe(1);
  });

  test('keeps nothing larger than the whole budget, and nothing at all with a budget of 0', async () => {
    const inner = countingCache();
    const cache = withMemoryCache(inner.cache, 0);
    await cache.put(id('a'), Buffer.alloc(1));
    await cache.get(id('a'));
    await cache.get(id('a'));
    expect(inner.calls.get).toBe(2);
  });
});
