import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import { HttpError } from '../http/HttpError';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import { infoHashOfInfo } from '../metainfo/infoHash';
import { bdecode, type BDict } from '../metainfo/bencode';
import { InvalidTorrentError, validateTorrent, type ValidatedTorrent } from '../metainfo/validateTorrent';
import type { ProxyMetrics } from '../observability/metrics';
import { storePiecesMatch } from './verifyStoreTorrent';
import type { AppLogger } from '../observability/logger';
import type { BucketPolicy } from '../config';
import type { ServedObject } from '../policy/servedObject';
import { classifyS3Error } from '../s3/classifyS3Error';
import { BodyTooLargeError, getStoreTorrent } from '../s3/getStoreTorrent';
import type { ObjectHead } from '../s3/headObject';
import { headServedObject } from './headServedObject';

/** The store's own info dictionary (checked against the object), or "none" with the object's head for building one. */
export type StoreAnswer =
  | { kind: 'torrent'; info: Buffer; infoHash: string; name: string; head: ObjectHead; requestCharged?: string; creationDate?: number; announce?: string }
  | { kind: 'none'; head: ObjectHead };

/** Verdicts remembered per object version (a bounded map: the oldest is forgotten first). */
const MAX_VERDICTS = 10_000;

/**
 * How a failed GetObjectTorrent reads: `unsupported` (the store serves no
 * torrents: 501, 405, InvalidRequest), `ambiguous` (404/403 may mean either
 * "no torrent support" or a real miss; HeadObject tells), else a real error.
 */
const failureKind = (err: unknown): 'unsupported' | 'ambiguous' | 'error' => {
  const { kind } = classifyS3Error(err);
  if (kind === 'notImplemented' || kind === 'invalidRequest') return 'unsupported';
  if (kind === 'notFound' || kind === 'accessDenied') return 'ambiguous';
  return 'error';
};

export interface StoreTorrentsDeps {
  s3: S3Client;
  config: Pick<Config, 'storeSupportTtlMs' | 'maxStoreTorrentBytes'>;
  metrics: ProxyMetrics;
}

/**
 * Torrents the store itself serves (GetObjectTorrent), passed on only after
 * validation against the object's head; and the memory of which buckets'
 * stores serve none, so they are not asked on every request.
 */
/** The top-level dictionary of an already validated torrent. */
const decodeTop = (bytes: Buffer): BDict => bdecode(bytes).value as BDict;

export class StoreTorrents {
  /** Buckets whose store answered NotImplemented, until when (ms since the epoch). */
  readonly #noSupportUntil = new Map<string, number>();
  /** Whether a store's torrent for one object version passed the piece check. */
  readonly #verdicts = new Map<string, boolean>();

  constructor(private readonly deps: StoreTorrentsDeps) {}

  /** Whether to ask the store for this bucket's torrents at all. */
  asks(policy: BucketPolicy): boolean {
    if (policy.source === 'store') return true;
    if (policy.source === 'generate') return false;
    // A store's torrent cannot carry our private flag: a private swarm builds its own.
    if (policy.swarm === 'private') return false;
    const until = this.#noSupportUntil.get(policy.name);
    if (until === undefined) return true;
    if (Date.now() < until && this.deps.config.storeSupportTtlMs > 0) return false;
    this.#noSupportUntil.delete(policy.name);
    return true;
  }

  /**
   * GetObjectTorrent with HeadObject alongside: a store's torrent is passed on
   * only if it describes this object's size, and building needs the head anyway.
   * `source: store` turns every "no torrent" into an error; `auto` into "none".
   */
  async fetch(target: ServedObject, log: AppLogger, signal?: AbortSignal): Promise<StoreAnswer> {
    const { s3, config } = this.deps;
    const storeOnly = target.policy.source === 'store';
    const headJob = headServedObject(s3, target, signal);
    headJob.catch(() => undefined);
    let body: Buffer;
    let requestCharged: string | undefined;
    try {
      ({ body, requestCharged } = await getStoreTorrent(s3, target.ref, config.maxStoreTorrentBytes, signal));
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        if (storeOnly) throw new HttpError(502, 'InvalidStoreTorrent', 'The storage service returned an oversized torrent.', { cause: err });
        return { kind: 'none', head: await headJob };
      }
      const kind = failureKind(err);
      if (kind === 'error' || (storeOnly && kind === 'ambiguous')) throw s3ErrorToHttp(err);
      if (storeOnly) throw new HttpError(502, 'TorrentUnavailable', 'The storage service does not serve torrents for this object.', { cause: err });
      const head = await headJob; // a real miss surfaces here as 404
      const info = classifyS3Error(err);
      // No torrent support at all (MinIO, s3rver, ...): stop asking for a while.
      if (info.kind === 'notImplemented') this.#noSupportUntil.set(target.bucket, Date.now() + config.storeSupportTtlMs);
      log.info('store does not serve this torrent; building it', { code: info.code, status: info.status });
      return { kind: 'none', head };
    }
    const head = await headJob;
    let valid: ValidatedTorrent;
    try {
      valid = validateTorrent(body, { length: head.size });
    } catch (err) {
      if (!(err instanceof InvalidTorrentError)) throw err;
      log.warn('store answered GetObjectTorrent with something that is not a torrent', { reason: err.message, bytes: body.length });
      return this.rejected(target, head, storeOnly, err);
    }
    const infoHash = infoHashOfInfo(valid.infoBytes);
    const verdictKey = JSON.stringify([target.bucket, target.key, head.versionId ?? '', head.etag, infoHash]);
    let good = this.#verdicts.get(verdictKey);
    if (good === undefined) {
      good = await storePiecesMatch(s3, target.ref, head, valid, Buffer.from(infoHash, 'hex'), log, signal);
      this.remember(verdictKey, good);
    }
    if (!good) return this.rejected(target, head, storeOnly, new InvalidTorrentError('piece hashes do not match the object'));
    const top = decodeTop(body);
    const creation = top['creation date'];
    const announce = Buffer.isBuffer(top.announce) ? top.announce.toString('utf8') : undefined;
    return {
      kind: 'torrent',
      info: Buffer.from(valid.infoBytes),
      infoHash,
      name: valid.name,
      head,
      requestCharged,
      creationDate: typeof creation === 'number' ? creation : undefined,
      announce,
    };
  }

  /** A store torrent that failed validation is never served: `store` answers 502, `auto` builds its own. */
  private rejected(target: ServedObject, head: ObjectHead, storeOnly: boolean, cause: Error): StoreAnswer {
    this.deps.metrics.badStoreTorrent(target.bucket);
    if (storeOnly) throw new HttpError(502, 'InvalidStoreTorrent', 'The storage service did not return a valid torrent for this object.', { cause });
    return { kind: 'none', head };
  }

  private remember(key: string, verdict: boolean): void {
    if (this.#verdicts.size >= MAX_VERDICTS) this.#verdicts.delete(this.#verdicts.keys().next().value!);
    this.#verdicts.set(key, verdict);
  }
}
