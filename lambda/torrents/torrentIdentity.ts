import type { CacheIdentity } from './cache/torrentCache';
import type { ObjectHead } from '../s3/headObject';
import { choosePieceLength } from '../metainfo/choosePieceLength';
import { displayName } from '../metainfo/displayName';

/**
 * Everything that fixes a generated torrent's bytes for one object version:
 * piece length from the size, name from the key, creation date from
 * LastModified. The cache is keyed by it.
 *
 * @example
 * torrentIdentity('media', 'films/a.mkv', await headObject(s3, ref)).pieceLength
 */
export const torrentIdentity = (bucket: string, key: string, head: ObjectHead, isPrivate = false): CacheIdentity => ({
  bucket,
  key,
  versionId: head.versionId,
  etag: head.etag,
  size: head.size,
  pieceLength: choosePieceLength(head.size),
  name: displayName(key),
  lastModified: head.lastModified ? Math.floor(head.lastModified.getTime() / 1000) : undefined,
  ...(isPrivate ? { private: true } : {}),
});
