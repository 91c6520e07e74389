import { HttpError } from '../http/HttpError';
import { objectKeyProblem } from '../http/parseObjectPath';
import { hashObjectSegment, type GenerateOptions, type Segment } from '../hashing/hashObject';
import { logger } from '../observability/logger';
import { getTorrent, isPending, type TorrentDeps } from '../torrents/torrentService';

/** `{ action: 'generate' }`: build and cache one object's torrent, however long it takes. */
export interface GenerateEvent {
  action: 'generate';
  bucket: string;
  key: string;
}

/** `{ action: 'hashSegment' }`: the piece digests of one segment of a very large object (fan-out). */
export interface HashSegmentEvent {
  action: 'hashSegment';
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  size: number;
  pieceLength: number;
  segment: Segment;
}

const invalid = (why: string) => new HttpError(400, 'InvalidEvent', why);

/**
 * The generate function's work, invoked by our own functions (never by API
 * Gateway). The bucket must still be allowlisted: the event names it, the
 * policy decides.
 */
export const backgroundEvent = async (
  deps: TorrentDeps,
  event: unknown,
  generateOpts: (pieceLength: number) => GenerateOptions,
): Promise<unknown> => {
  const e = (event ?? {}) as Partial<Omit<HashSegmentEvent, 'action'>> & { action?: string };
  if (typeof e.bucket !== 'string' || typeof e.key !== 'string' || objectKeyProblem(e.key)) throw invalid('bucket and key are required');
  const policy = deps.config.buckets.get(e.bucket);
  if (!policy || !e.key.startsWith(policy.prefix)) throw invalid('bucket or key not served');
  if (e.action === 'generate') {
    const out = await getTorrent(deps, { policy, key: e.key, webSeeds: [], wait: true });
    if (isPending(out)) throw new Error('a waited build cannot be pending');
    logger.info('background build done', { bucket: e.bucket, key: e.key, origin: out.origin, infoHash: out.infoHash });
    return { infoHash: out.infoHash, origin: out.origin };
  }
  if (e.action === 'hashSegment') {
    const { segment, pieceLength, size, etag } = e;
    if (!segment || !Number.isSafeInteger(segment.start) || !Number.isSafeInteger(segment.end) || typeof pieceLength !== 'number' || typeof size !== 'number' || typeof etag !== 'string') {
      throw invalid('segment, pieceLength, size and etag are required');
    }
    if (segment.start % pieceLength !== 0 || segment.end > size || segment.start >= segment.end) throw invalid('segment must be piece-aligned and inside the object');
    const ref = { bucket: e.bucket, key: e.key, expectedOwner: policy.expectedOwner, requesterPays: policy.requesterPays };
    const pieces = await hashObjectSegment(deps.s3, ref, { size, etag, versionId: e.versionId }, segment, generateOpts(pieceLength));
    return { pieces: pieces.toString('base64') };
  }
  throw invalid('unknown action');
};
