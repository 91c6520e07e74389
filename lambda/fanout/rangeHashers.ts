import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { HashPool } from '../hashing/hashPool';
import type { AppLogger } from '../observability/logger';
import { hashFolder } from '../torrents/hashFolder';
import { hashObjectRange } from '../torrents/hashObject';
import type { ServedSource } from './resolveSource';
import type { RangeHasher, RangeHashers } from './segmentHandler';

export interface RangeHasherDeps {
  s3: S3Client;
  config: Pick<Config, 'readConcurrency' | 'readPartBytes'>;
  pool: HashPool;
  log?: AppLogger;
}

/**
 * An object's segment hashed the way a single-pass build hashes the whole
 * object: pinned ranged reads of the measured version, SHA-1 on the pool.
 */
export const objectRangeHasher =
  ({ s3, config, pool, log }: RangeHasherDeps): RangeHasher<Extract<ServedSource, { kind: 'object' }>> =>
  (source, segment, pieceLength) =>
    hashObjectRange(
      s3,
      source.target.ref,
      { size: source.size, etag: source.etag, versionId: source.versionId },
      { start: segment.start, end: segment.end },
      { pieceLength, name: '', concurrency: config.readConcurrency, partBytes: config.readPartBytes, pool, log },
    );

/**
 * A folder's segment hashed the way a single-pass build hashes the whole
 * folder: the cached manifest's files end to end (the segment may start and
 * end inside files), each read only at its listed ETag, SHA-1 on the pool.
 */
export const folderRangeHasher =
  ({ s3, config, pool, log }: RangeHasherDeps): RangeHasher<Extract<ServedSource, { kind: 'folder' }>> =>
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

/** Both, as the segment handler takes them. */
export const rangeHashers = (deps: RangeHasherDeps): RangeHashers => ({ object: objectRangeHasher(deps), folder: folderRangeHasher(deps) });
