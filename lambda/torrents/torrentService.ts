import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import type { BackgroundJobs } from '../jobs/backgroundJobs';
import { HttpError } from '../http/HttpError';
import { buildMetainfo } from '../metainfo/buildMetainfo';
import { infoHashOfInfo } from '../metainfo/infoHash';
import type { AppLogger } from '../observability/logger';
import type { ProxyMetrics } from '../observability/metrics';
import type { ServedObject } from '../policy/servedObject';
import type { ObjectHead } from '../s3/headObject';
import { pinOfHead, type ObjectPin } from '../links/objectPin';
import { headServedObject } from './headServedObject';
import type { StoreTorrents } from './storeTorrents';
import type { TorrentBuilds } from './torrentBuilds';
import { torrentIdentity } from './torrentIdentity';
import type { TorrentOutcome } from './types';

export interface TorrentRequest {
  target: ServedObject;
  /** The link's web seeds for the object version a torrent describes (signed seed URLs pinned to it). */
  webSeeds: (pin: ObjectPin) => string[];
  log: AppLogger;
  /** The version the share link is pinned to, if it is. */
  pin?: ObjectPin;
  signal?: AbortSignal;
}

export interface TorrentServiceDeps {
  s3: S3Client;
  config: Pick<Config, 'maxGenerateBytes' | 'syncGenerateMaxBytes' | 'trackers'>;
  store: StoreTorrents;
  builds: TorrentBuilds;
  jobs: BackgroundJobs;
  metrics: ProxyMetrics;
}

/**
 * The .torrent for one served object: forwarded from the store's
 * GetObjectTorrent where it serves a valid one, else built from the object
 * (cached by version; large objects in the background, answered with their
 * progress meanwhile). Every torrent returned has been validated.
 */
export class TorrentService {
  constructor(private readonly deps: TorrentServiceDeps) {}

  async get(req: TorrentRequest): Promise<TorrentOutcome> {
    const { store, s3 } = this.deps;
    const { pin, target } = req;
    if (pin && 'versionId' in pin) {
      const hit = await this.deps.builds.cachedPinned(target.bucket, target.key, pin.versionId, req.log);
      this.deps.metrics.cache(hit !== undefined);
      if (hit) {
        // A link pinned to a version whose torrent is cached: no call to the object's store at all.
        const bytes = buildMetainfo({ info: hit.info, webSeeds: req.webSeeds(pin), trackers: this.deps.config.trackers, creationDate: hit.creationDate });
        return { state: 'ready', torrent: { bytes, origin: 'cache', infoHash: infoHashOfInfo(hit.info), name: hit.name, length: hit.length, pin } };
      }
    }
    if (pin && target.policy.source === 'store') {
      throw new HttpError(502, 'TorrentUnavailable', 'The storage service cannot serve the torrent of one pinned version.');
    }
    let head: ObjectHead | undefined;
    // The store's GetObjectTorrent has no version parameter: pinned links never ask it.
    if (!pin && store.asks(target.policy)) {
      const answer = await store.fetch(req.target, req.log, req.signal);
      if (answer.kind === 'torrent') {
        // The store's info dictionary byte for byte (its info-hash), with our web seed and trackers at the top level.
        const { info, head: h } = answer;
        // The store's own tracker is kept unless the deployment names its trackers.
        const { trackers } = this.deps.config;
        const announce = trackers.length > 0 ? trackers : answer.announce ? [answer.announce] : [];
        const bytes = buildMetainfo({ info, webSeeds: req.webSeeds(pinOfHead(h)), trackers: announce, creationDate: answer.creationDate });
        return {
          state: 'ready',
          torrent: {
            bytes,
            origin: 'store',
            infoHash: answer.infoHash,
            name: answer.name,
            length: h.size,
            pin: pinOfHead(h),
            requestCharged: answer.requestCharged,
          },
        };
      }
      head = answer.head;
    }
    head ??= await headServedObject(s3, target, req.signal, pin);
    return this.generated(req, head);
  }

  private async generated(req: TorrentRequest, head: ObjectHead): Promise<TorrentOutcome> {
    const { config, builds, jobs, metrics } = this.deps;
    const { target, log } = req;
    if (head.size === 0) throw new HttpError(422, 'EmptyObject', 'The object is empty (0 bytes); a torrent cannot describe it.');
    if (head.size > config.maxGenerateBytes) {
      throw new HttpError(422, 'ObjectTooLarge', `The object is larger than this deployment builds torrents for (${config.maxGenerateBytes} bytes).`);
    }
    const id = torrentIdentity(target.bucket, target.key, head);
    let origin: 'cache' | 'generated' = 'cache';
    let info = await builds.cached(id, log);
    metrics.cache(info !== undefined);
    if (info && req.pin) await builds.rememberPinned(id, info, log); // the next request with this link asks S3 nothing
    if (!info) {
      if (head.size > config.syncGenerateMaxBytes) {
        const job = await jobs.ensure({ target, head, id, log });
        if (job.state === 'building') return job;
        info = job.info; // finished since our cache miss
      } else {
        origin = 'generated';
        info = await builds.join(target, head, id, log).promise;
      }
    }
    const bytes = buildMetainfo({ info, webSeeds: req.webSeeds(pinOfHead(head)), trackers: config.trackers, creationDate: id.lastModified });
    return {
      state: 'ready',
      torrent: { bytes, origin, infoHash: infoHashOfInfo(info), name: id.name, length: head.size, pin: pinOfHead(head), requestCharged: head.requestCharged },
    };
  }
}
