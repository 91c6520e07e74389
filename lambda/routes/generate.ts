import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError } from '../http/HttpError';
import { headOfEvent, type GenerateEvent } from '../jobs/lambdaJobs';
import type { HashSegmentEvent, HashSegmentResult } from '../jobs/lambdaSegments';
import type { AppLogger } from '../observability/logger';
import { infoHashOfInfo } from '../metainfo/infoHash';
import { objectKeyProblem } from '../policy/objectKeyProblem';
import { servedObject, type ServedObject } from '../policy/servedObject';
import type { Services } from '../services';
import { hashObjectRange } from '../torrents/hashObject';
import { torrentIdentity } from '../torrents/torrentIdentity';

const invalid = (why: string) => new HttpError(400, 'InvalidEvent', why);

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The event's object, if the policy serves it (the event names it, the policy decides). */
const targetOf = (s: Services, e: { bucket?: unknown; key?: unknown }): ServedObject => {
  if (typeof e.bucket !== 'string' || typeof e.key !== 'string' || objectKeyProblem(e.key)) throw invalid('bucket and key are required');
  try {
    return servedObject(s.config.buckets, e.bucket, e.key);
  } catch {
    throw invalid('bucket or key not served');
  }
};

/** Builds and caches exactly the version the event was started for, writing progress markers as it goes. */
const generate = async (s: Services, e: Partial<GenerateEvent>, log: AppLogger) => {
  const target = targetOf(s, e);
  if (!isCount(e.size) || e.size === 0 || typeof e.etag !== 'string') throw invalid('size and etag are required');
  const head = headOfEvent(e as GenerateEvent);
  const id = torrentIdentity(target.bucket, target.key, head, target.policy.swarm === 'private');
  const markers = s.lambdaJobs?.markers(id, log);
  try {
    const info = await s.builds.join(target, head, id, log, markers?.onProgress).promise;
    await markers?.finished('done');
    log.info('background build done', { bucket: target.bucket, key: target.key, bytes: head.size });
    return { infoHash: infoHashOfInfo(info) };
  } catch (err) {
    await markers?.finished('failed', err instanceof HttpError ? err.code : 'InternalError');
    throw err;
  }
};

/** Hashes one piece-aligned segment of a pinned object version (fan-out). */
const hashSegment = async (s: Services, e: Partial<HashSegmentEvent>, log: AppLogger): Promise<HashSegmentResult> => {
  const target = targetOf(s, e);
  const { segment, pieceLength, size, etag } = e;
  if (
    !segment ||
    !Number.isSafeInteger(segment.start) ||
    !Number.isSafeInteger(segment.end) ||
    typeof pieceLength !== 'number' ||
    typeof size !== 'number' ||
    typeof etag !== 'string'
  ) {
    throw invalid('segment, pieceLength, size and etag are required');
  }
  if (segment.start % pieceLength !== 0 || segment.end > size || segment.start >= segment.end)
    throw invalid('segment must be piece-aligned and inside the object');
  const { config } = s;
  const pieces = await hashObjectRange(s.s3, target.ref, { size, etag, versionId: e.versionId }, segment, {
    pieceLength,
    name: '',
    concurrency: config.readConcurrency,
    partBytes: config.readPartBytes,
    pool: s.pool,
    log,
  });
  return { pieces: pieces.toString('base64') };
};

/**
 * The generate function: invoked by our own functions (never by API
 * Gateway) for background builds and fan-out segments.
 */
export const generateRoute = (s: Services) =>
  middy<unknown, unknown, Error, Context>().handler(async (event, context) => {
    const e = (event ?? {}) as { action?: unknown };
    const log = s.logger.createChild({
      persistentKeys: { requestId: context.awsRequestId, route: 'generate', action: typeof e.action === 'string' ? e.action : undefined },
    });
    if (e.action === 'generate') return generate(s, e as Partial<GenerateEvent>, log);
    if (e.action === 'hashSegment') return hashSegment(s, e as Partial<HashSegmentEvent>, log);
    throw invalid('unknown action');
  });
