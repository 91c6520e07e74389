import type { AppLogger } from '../../../lambda/observability/logger';
import { buildInfo, buildMetainfo } from '../../../lambda/metainfo/buildMetainfo';
import { choosePieceLength } from '../../../lambda/metainfo/choosePieceLength';
import { infoHashOfInfo } from '../../../lambda/metainfo/infoHash';
import type { CacheEntryId, TorrentCache } from '../../../lambda/torrents/cache/torrentCache';
import { TorrentBuilds, type TorrentBuildsDeps } from '../../../lambda/torrents/torrentBuilds';

const LENGTH = 40_000;
const pieceLength = choosePieceLength(LENGTH);
const info = buildInfo({ name: 'a.bin', length: LENGTH, pieceLength, pieces: Buffer.alloc(20 * Math.ceil(LENGTH / pieceLength), 7) });
const entry = () => buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: 1_700_000_000 });

/** A cache answering one Buffer for every read, as the in-memory LRU does for a hit. */
const oneEntry = (bytes: Buffer): TorrentCache => ({ get: async (_id: CacheEntryId) => bytes, put: async () => undefined });

const quietLog = () => {
  const warnings: string[] = [];
  return { log: { warn: (m: string) => warnings.push(m) } as unknown as AppLogger, warnings };
};

const buildsOver = (cache: TorrentCache) => new TorrentBuilds({ cache } as unknown as TorrentBuildsDeps);

describe('TorrentBuilds.cachedPinned', () => {
  test('answers the info, its hash, name, length and creation date of a valid pinned entry', async () => {
    const { log } = quietLog();

    const hit = await buildsOver(oneEntry(entry())).cachedPinned('media', 'dir/a.bin', 'v1', false, log);

    expect(hit).toEqual({ info, infoHash: infoHashOfInfo(info), name: 'a.bin', length: LENGTH, creationDate: 1_700_000_000 });
  });

  test('validates a cached entry once: later hits on the same bytes answer the same verdict', async () => {
    const builds = buildsOver(oneEntry(entry()));
    const { log } = quietLog();

    const first = await builds.cachedPinned('media', 'dir/a.bin', 'v1', false, log);
    const second = await builds.cachedPinned('media', 'dir/a.bin', 'v1', false, log);

    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  test('checks the same bytes again against another key, and refuses a name that is not the key', async () => {
    const builds = buildsOver(oneEntry(entry()));
    const { log, warnings } = quietLog();
    await builds.cachedPinned('media', 'dir/a.bin', 'v1', false, log);

    const other = await builds.cachedPinned('media', 'dir/b.bin', 'v1', false, log);
    const privately = await builds.cachedPinned('media', 'dir/a.bin', 'v1', true, log);

    expect({ other, privately, warnings }).toEqual({
      other: undefined,
      privately: undefined,
      warnings: ['discarding invalid pinned torrent cache entry', 'discarding invalid pinned torrent cache entry'],
    });
  });

  test('refuses an invalid entry on every request, warning each time', async () => {
    const builds = buildsOver(oneEntry(Buffer.from('d4:infod4:name1:aee')));
    const { log, warnings } = quietLog();

    const answers = [await builds.cachedPinned('media', 'a', 'v1', false, log), await builds.cachedPinned('media', 'a', 'v1', false, log)];

    expect({ answers, warnings: warnings.length }).toEqual({ answers: [undefined, undefined], warnings: 2 });
  });
});

describe('TorrentBuilds.cached', () => {
  const id = { bucket: 'media', key: 'dir/a.bin', etag: '"e"', size: LENGTH, pieceLength, name: 'a.bin' };

  test('answers the info bytes of a valid entry, the same Buffer for later hits on the same bytes', async () => {
    const builds = buildsOver(oneEntry(entry()));
    const { log } = quietLog();

    const first = await builds.cached(id, log);
    const second = await builds.cached(id, log);

    expect(first?.equals(info)).toBe(true);
    expect(second).toBe(first);
  });

  test('checks the same bytes again against an identity of another size', async () => {
    const builds = buildsOver(oneEntry(entry()));
    const { log, warnings } = quietLog();
    await builds.cached(id, log);

    expect(await builds.cached({ ...id, size: LENGTH + 1 }, log)).toBeUndefined();
    expect(warnings).toEqual(['discarding invalid torrent cache entry']);
  });
});
