import type { KeyRing } from '../links/keyRing';
import type { FolderPin, ObjectPin } from '../links/objectPin';
import { folderSeedUrl, seedUrl } from '../links/shareLinks';
import { trackerAnnounceUrl } from '../links/trackerToken';
import type { FolderLinks } from '../torrents/folderTorrents';
import type { TorrentLinks } from '../torrents/torrentService';

/**
 * What one share link adds to a torrent: its web seed, pinned to the version
 * and bound to the swarm, and its announce URL of our tracker; both signed
 * with the link's key ring and expiring with the link.
 */
/** The same for a folder torrent: its web seed ends in `/` and is bound to the folder's snapshot. */
export const folderLinks = (ring: KeyRing, baseUrl: string, bucket: string, exp: number): FolderLinks => ({
  webSeeds: (folder: FolderPin, infoHash: string) => [folderSeedUrl(ring, baseUrl, bucket, folder, exp, infoHash)],
  trackers: (infoHash: string) => [trackerAnnounceUrl(ring, baseUrl, infoHash, exp)],
});

export const torrentLinks = (ring: KeyRing, baseUrl: string, bucket: string, key: string, exp: number): TorrentLinks => ({
  webSeeds: (pin: ObjectPin, infoHash: string) => [seedUrl(ring, baseUrl, bucket, key, exp, pin, infoHash)],
  trackers: (infoHash: string) => [trackerAnnounceUrl(ring, baseUrl, infoHash, exp)],
});
