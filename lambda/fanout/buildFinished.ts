import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { AppLogger } from '../observability/logger';
import { classifyS3Error } from '../s3/classifyS3Error';
import type { CacheIdentity, FolderSnapshot } from '../torrents/cache/torrentCache';
import type { FanoutInput } from './fanoutEvents';
import { segmentKey } from './fanoutModel';
import { mapLimit } from './mapLimit';
import type { SegmentStore } from './segmentHandler';

/** Writes a build's final progress marker: `(id, state, error, log, total) => lambdaJobs.finished(id, total, state, error, log)`. */
export type BuildFinished = (
  id: CacheIdentity | FolderSnapshot,
  state: 'done' | 'failed',
  error: string | undefined,
  log: AppLogger,
  bytesTotal: number,
) => Promise<void>;

/** S3 calls in flight at once when a build reads or deletes its segment objects. */
export const SEGMENT_IO_CONCURRENCY = 8;

/**
 * Deletes a build's segment objects once they are no longer needed. Best
 * effort: a leftover expires with the cache prefix's lifecycle rule.
 */
export const deleteSegments = async (store: SegmentStore, input: FanoutInput, log: AppLogger): Promise<void> => {
  try {
    await mapLimit(input.segments, SEGMENT_IO_CONCURRENCY, (s) =>
      store.s3.send(
        new DeleteObjectCommand({
          Bucket: store.cacheBucket,
          Key: segmentKey(store.cachePrefix, input.build, s.index),
          ExpectedBucketOwner: store.expectedOwner,
        }),
      ),
    );
  } catch (err) {
    log.warn('could not delete fan-out segment objects', { build: input.build, code: classifyS3Error(err).code });
  }
};
