import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { classifyS3Error } from '../../s3/classifyS3Error';
import type { AppLogger } from '../../observability/logger';

/** Everything that determines a generated torrent's bytes. Change any and the cache key changes. */
export interface CacheIdentity {
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  size: number;
  pieceLength: number;
  name: string;
  lastModified?: number;
  /** A private-swarm torrent (BEP 27): a different info dictionary, so a different entry. */
  private?: boolean;
}

/**
 * The entry of one object version reached by its VersionId alone: a link
 * pinned to that version finds its torrent without asking S3 for the head.
 */
export interface PinnedVersion {
  bucket: string;
  key: string;
  versionId: string;
  pinned: true;
  private?: boolean;
}

/** A folder's snapshot (by its manifest digest): its torrent, or (`part: 'manifest'`) the manifest itself. */
export interface FolderSnapshot {
  bucket: string;
  prefix: string;
  manifest: string;
  part: 'torrent' | 'manifest';
  private?: boolean;
}

/** What a cache entry is found by: the full identity of a build, a pinned version, or a folder snapshot. */
export type CacheEntryId = CacheIdentity | PinnedVersion | FolderSnapshot;

const isPinned = (id: CacheEntryId): id is PinnedVersion => 'pinned' in id;
const isFolder = (id: CacheEntryId): id is FolderSnapshot => 'manifest' in id;

/** Bumped when the generator's output format changes, so old entries are never reused. */
export const CACHE_FORMAT = 'v1';

/** Object key of a cache entry: a hash of its identity (keys may be 1 KB of UTF-8; the hash is fixed-size). */
export const cacheObjectKey = (prefix: string, id: CacheEntryId): string => {
  const fields = isFolder(id)
    ? [CACHE_FORMAT, 'folder', id.part, id.bucket, id.prefix, id.manifest]
    : isPinned(id)
      ? [CACHE_FORMAT, 'pinned', id.bucket, id.key, id.versionId]
      : [CACHE_FORMAT, id.bucket, id.key, id.versionId ?? '', id.etag, id.size, id.pieceLength, id.name, id.lastModified ?? 0];
  // Appended only for private torrents, so public entries keep their keys.
  if (id.private) fields.push('private');
  const h = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  return `${prefix}${h.slice(0, 2)}/${h}.torrent`;
};

export interface TorrentCache {
  /** A miss is undefined; a failed read is logged on `log` and is a miss too. */
  get(id: CacheEntryId, log?: AppLogger): Promise<Buffer | undefined>;
  put(id: CacheEntryId, torrent: Buffer): Promise<void>;
}

/** No cache configured: every request builds (the local runtime always configures one). */
export const noCache: TorrentCache = { get: async () => undefined, put: async () => undefined };

/**
 * Generated torrents stored as objects in the stack's cache bucket. A read
 * failure is a miss, not an error (the torrent can be rebuilt); the caller
 * validates every hit before use.
 */
export const s3TorrentCache = (client: S3Client, bucket: string, prefix: string, expectedOwner?: string): TorrentCache => ({
  async get(id, log) {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: cacheObjectKey(prefix, id), ExpectedBucketOwner: expectedOwner }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      const info = classifyS3Error(err);
      if (info.kind !== 'notFound') log?.warn('torrent cache read failed; treating as a miss', { code: info.code });
      return undefined;
    }
  },
  async put(id, torrent) {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: cacheObjectKey(prefix, id),
        Body: torrent,
        ContentType: 'application/x-bittorrent',
        ExpectedBucketOwner: expectedOwner,
        Metadata: { 'source-bucket': id.bucket, 'source-etag': 'etag' in id ? id.etag.replace(/[^\x20-\x7e]/g, '') : '' },
      }),
    );
  },
});
