import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { HashPool } from '../hashing/hashPool';
import type { AppLogger } from '../observability/logger';
import { hashObjectRange } from '../torrents/hashObject';
import type { ServedSource } from './resolveSource';
import type { RangeHasher } from './segmentHandler';

export interface ObjectRangeHasherDeps {
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
  ({ s3, config, pool, log }: ObjectRangeHasherDeps): RangeHasher<Extract<ServedSource, { kind: 'object' }>> =>
  (source, segment, pieceLength) =>
    hashObjectRange(
      s3,
      source.target.ref,
      { size: source.size, etag: source.etag, versionId: source.versionId },
      { start: segment.start, end: segment.end },
      { pieceLength, name: '', concurrency: config.readConcurrency, partBytes: config.readPartBytes, pool, log },
    );
