import type { JobProgress } from '../jobs/jobProgress';
import type { FolderPin, ObjectPin } from '../links/objectPin';

/** A validated .torrent ready to send. */
export interface TorrentResult {
  bytes: Buffer;
  /** Where the torrent came from: the store's GetObjectTorrent, our cache, or built now. */
  origin: 'store' | 'cache' | 'generated';
  infoHash: string;
  name: string;
  length: number;
  /** The object version the torrent describes (its web seeds read only that one); folders have `folder` instead. */
  pin?: ObjectPin;
  /** A folder torrent's snapshot (manifest digest and prefix). */
  folder?: FolderPin;
  /** "requester" when S3 reported that the request was charged to us. */
  requestCharged?: string;
}

/** The torrent, or the progress of its background build (the caller answers 202 and is asked to retry). */
export type TorrentOutcome = { state: 'ready'; torrent: TorrentResult } | { state: 'building'; progress: JobProgress };
