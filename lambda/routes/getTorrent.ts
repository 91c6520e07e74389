import type { S3Client } from '@aws-sdk/client-s3';
import type { BucketPolicy, Config } from '../config';
import type { TorrentCache, CacheIdentity } from '../cache/torrentCache';
import { generateInfo } from '../generate/generateInfo';
import { progressReporter } from '../generate/progressReporter';
import { HttpError } from '../http/HttpError';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import { logger } from '../log';
import { classifyS3Error } from '../s3/classifyS3Error';
import { BodyTooLargeError, getStoreTorrent } from '../s3/getStoreTorrent';
import { headObject, type ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import { buildMetainfo } from '../torrent/buildMetainfo';
import { choosePieceLength } from '../torrent/choosePieceLength';
import { displayName } from '../torrent/displayName';
import { infoHashOfInfo } from '../torrent/infoHash';
import { InvalidTorrentError, validateTorrent } from '../torrent/validateTorrent';

export interface TorrentDeps {
  s3: S3Client;
  cache: TorrentCache;
  config: Config;
}

export interface TorrentRequest {
  policy: BucketPolicy;
  key: string;
  /** Web seeds for a generated torrent (the link's signed seed URL). */
  webSeeds: string[];
  signal?: AbortSignal;
}

export interface TorrentResult {
  bytes: Buffer;
  /** Where the torrent came from: the store's GetObjectTorrent, our cache, or built now. */
  origin: 'store' | 'cache' | 'generated';
  infoHash: string;
  name: string;
  length: number;
  /** "requester" when S3 reported that the request was charged to us. */
  requestCharged?: string;
}

/** Stores answer "no torrents here" in these shapes (ARCHITECTURE.md); the rest are real errors. */
const UNSUPPORTED_KINDS = new Set(['notImplemented', 'invalidRequest']);
const AMBIGUOUS_KINDS = new Set(['notFound', 'accessDenied']);

// One generation per object version at a time, whoever asks (issue: never do the work twice).
const inFlight = new Map<string, Promise<Buffer>>();

/**
 * The .torrent for one object under its bucket policy: forwarded from the
 * store's GetObjectTorrent where it serves one, else built from the object
 * (and cached by version). Every torrent returned has been validated.
 */
export const getTorrent = async (deps: TorrentDeps, req: TorrentRequest): Promise<TorrentResult> => {
  const { policy } = req;
  const ref: ObjectRef = { bucket: policy.name, key: req.key, expectedOwner: policy.expectedOwner, requesterPays: policy.requesterPays };
  let head: ObjectHead | undefined;

  if (policy.source !== 'generate') {
    try {
      const store = await getStoreTorrent(deps.s3, ref, deps.config.maxStoreTorrentBytes, req.signal);
      try {
        const valid = validateTorrent(store.body);
        return {
          bytes: store.body,
          origin: 'store',
          infoHash: infoHashOfInfo(valid.infoBytes),
          name: valid.name,
          length: valid.length,
          requestCharged: store.requestCharged,
        };
      } catch (err) {
        if (!(err instanceof InvalidTorrentError)) throw err;
        logger.warn('store answered GetObjectTorrent with something that is not a torrent', { reason: err.message, bytes: store.body.length });
        if (policy.source === 'store') throw new HttpError(502, 'InvalidStoreTorrent', 'The storage service did not return a valid torrent.', { cause: err });
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (err instanceof BodyTooLargeError) {
        if (policy.source === 'store') throw new HttpError(502, 'InvalidStoreTorrent', 'The storage service returned an oversized torrent.', { cause: err });
      } else {
        const info = classifyS3Error(err);
        if (policy.source === 'store') {
          if (UNSUPPORTED_KINDS.has(info.kind)) throw new HttpError(502, 'TorrentUnavailable', 'The storage service does not serve torrents for this object.', { cause: err });
          throw s3ErrorToHttp(err);
        }
        if (AMBIGUOUS_KINDS.has(info.kind)) {
          // 404/403 on ?torrent can mean "no torrent support"; HeadObject tells it from a real miss.
          head = await headOrThrow(deps, ref, req.signal);
        } else if (!UNSUPPORTED_KINDS.has(info.kind)) {
          throw s3ErrorToHttp(err);
        }
        logger.info('store does not serve this torrent; building it', { code: info.code, status: info.status });
      }
    }
  }

  head ??= await headOrThrow(deps, ref, req.signal);
  return generated(deps, req, ref, head);
};

const headOrThrow = async (deps: TorrentDeps, ref: ObjectRef, signal?: AbortSignal) => {
  try {
    return await headObject(deps.s3, ref, signal);
  } catch (err) {
    throw s3ErrorToHttp(err);
  }
};

const generated = async (deps: TorrentDeps, req: TorrentRequest, ref: ObjectRef, head: ObjectHead): Promise<TorrentResult> => {
  const { config } = deps;
  if (head.size === 0) throw new HttpError(422, 'EmptyObject', 'The object is empty (0 bytes); a torrent cannot describe it.');
  if (head.size > config.maxGenerateBytes) {
    throw new HttpError(422, 'ObjectTooLarge', `The object is larger than this deployment builds torrents for (${config.maxGenerateBytes} bytes).`);
  }
  const name = displayName(req.key);
  const pieceLength = choosePieceLength(head.size);
  const creationDate = head.lastModified ? Math.floor(head.lastModified.getTime() / 1000) : undefined;
  const id: CacheIdentity = {
    bucket: ref.bucket,
    key: ref.key,
    versionId: head.versionId,
    etag: head.etag,
    size: head.size,
    pieceLength,
    name,
    lastModified: creationDate,
  };

  let origin: TorrentResult['origin'] = 'cache';
  let info = await cachedInfo(deps, id);
  if (!info) {
    origin = 'generated';
    const cacheKey = JSON.stringify(id);
    let job = inFlight.get(cacheKey);
    if (!job) {
      // Not tied to one caller's abort signal: other callers may be waiting on the same job.
      job = buildAndCache(deps, ref, head, id).finally(() => inFlight.delete(cacheKey));
      inFlight.set(cacheKey, job);
    }
    info = await job;
  }
  const bytes = buildMetainfo({ info, webSeeds: req.webSeeds, trackers: config.trackers, creationDate });
  return { bytes, origin, infoHash: infoHashOfInfo(info), name, length: head.size, requestCharged: head.requestCharged };
};

/** A cache hit is used only if it validates against the object it claims to describe. */
const cachedInfo = async (deps: TorrentDeps, id: CacheIdentity): Promise<Buffer | undefined> => {
  const hit = await deps.cache.get(id);
  if (!hit) return undefined;
  try {
    const valid = validateTorrent(hit, { length: id.size });
    if (valid.pieceLength !== id.pieceLength || valid.name !== id.name) throw new InvalidTorrentError('cache entry does not match the object');
    return Buffer.from(valid.infoBytes);
  } catch (err) {
    logger.warn('discarding invalid torrent cache entry', { reason: (err as Error).message });
    return undefined;
  }
};

const buildAndCache = async (deps: TorrentDeps, ref: ObjectRef, head: ObjectHead, id: CacheIdentity): Promise<Buffer> => {
  const started = Date.now();
  const report = progressReporter({ bucket: ref.bucket, key: ref.key }, head.size);
  let info: Buffer;
  try {
    info = await generateInfo(deps.s3, ref, head, {
      pieceLength: id.pieceLength,
      name: id.name,
      concurrency: deps.config.readConcurrency,
      partBytes: deps.config.readPartBytes,
      onProgress: report,

    });
  } catch (err) {
    throw s3ErrorToHttp(err);
  }
  const ms = Date.now() - started;
  logger.info('torrent generated', {
    bucket: ref.bucket,
    key: ref.key,
    bytesHashed: head.size,
    generationMs: ms,
    mbPerSecond: Math.round((head.size / 1e6 / Math.max(ms / 1000, 1e-3)) * 10) / 10,
  });
  // Cache only what was read in full; the cached form has no link-specific fields.
  const canonical = buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: id.lastModified });
  try {
    await deps.cache.put(id, canonical);
  } catch (err) {
    logger.warn('could not write torrent cache entry', { code: classifyS3Error(err).code });
  }
  return info;
};
