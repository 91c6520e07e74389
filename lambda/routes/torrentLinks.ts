import type { KeyRing } from '../links/keyRing';
import type { ObjectPin } from '../links/objectPin';
import { seedUrl } from '../links/shareLinks';
import { trackerAnnounceUrl } from '../links/trackerToken';
import type { TorrentLinks } from '../torrents/torrentService';

/**
 * What one share link adds to a torrent: its web seed, pinned to the version
 * and bound to the swarm, and its announce URL of our tracker; both signed
 * with the link's key ring and expiring with the link.
 */
export const torrentLinks = (ring: KeyRing, baseUrl: string, bucket: string, key: string, exp: number): TorrentLinks => ({
  webSeeds: (pin: ObjectPin, infoHash: string) => [seedUrl(ring, baseUrl, bucket, key, exp, pin, infoHash)],
  trackers: (infoHash: string) => [trackerAnnounceUrl(ring, baseUrl, infoHash, exp)],
});
