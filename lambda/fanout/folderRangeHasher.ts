import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { HashPool } from '../hashing/hashPool';
import type { AppLogger } from '../observability/logger';
import { hashFolder } from '../torrents/hashFolder';
import type { ServedSource } from './resolveSource';
import type { RangeHasher } from './segmentHandler';

export interface FolderRangeHasherDeps {
  s3: S3Client;
  config: Pick<Config, 'readConcurrency' | 'readPartBytes'>;
  pool: HashPool;
  log?: AppLogger;
}

/**
 * A folder's segment hashed the way a single-pass build hashes the whole
 * folder: the cached manifest's files end to end (the segment may start and
 * end inside files), each read only at its listed ETag, SHA-1 on the pool.
 */
export const folderRangeHasher =
  ({ s3, config, pool, log }: FolderRangeHasherDeps): RangeHasher<Extract<ServedSource, { kind: 'folder' }>> =>
  (source, segment, pieceLength) => {
    const { key: _key, ...base } = source.target.ref;
    return hashFolder(s3, base, source.files.files, {
      pieceLength,
      segment: { start: segment.start, end: segment.end },
      concurrency: config.readConcurrency,
      partBytes: config.readPartBytes,
      pool,
      log,
    });
  };
