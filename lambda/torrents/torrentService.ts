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
import type { TorrentOutcome, TorrentResult } from './types';

/** What each share link adds at the top level of a torrent (never inside `info`, so all links share one swarm). */
export interface TorrentLinks {
  /** The link's signed seed URLs for the object version the torrent describes, in its swarm. */
  webSeeds(pin: ObjectPin, infoHash: string): string[];
  /** The link's announce URLs of our tracker for this swarm. */
  trackers(infoHash: string): string[];
}

export interface TorrentRequest {
  target: ServedObject;
  links: TorrentLinks;
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

/** One torrent's parts, before this link's web seeds and trackers are added. */
interface Described {
  info: Buffer;
  /** SHA-1 of `info` where already known (a pinned cache hit's). */
  infoHash?: string;
  origin: TorrentResult['origin'];
  name: string;
  length: number;
  pin: ObjectPin;
  creationDate?: number;
  requestCharged?: string;
  /** A store's own tracker (kept unless the deployment names trackers of its own). */
  storeAnnounce?: string;
}

/**
 * The .torrent for one served object: forwarded from the store's
 * GetObjectTorrent where it serves a valid one, else built from the object
 * (cached by version; large objects in the background, answered with their
 * progress meanwhile). Every torrent returned has been validated. Private
 * swarms (the default) get generated torrents with BEP 27 `private: 1`; a
 * store's torrent cannot carry it, so `source: auto` builds its own there.
 */
export class TorrentService {
  constructor(private readonly deps: TorrentServiceDeps) {}

  async get(req: TorrentRequest): Promise<TorrentOutcome> {
    const { store, s3, builds, metrics } = this.deps;
    const { pin, target } = req;
    const isPrivate = target.policy.swarm === 'private';
    if (pin && 'versionId' in pin) {
      const hit = await builds.cachedPinned(target.bucket, target.key, pin.versionId, isPrivate, req.log);
      metrics.cache(hit !== undefined);
      // A link pinned to a version whose torrent is cached: no call to the object's store at all.
      if (hit) return this.ready(req, { ...hit, origin: 'cache', pin });
    }
    if (pin && target.policy.source === 'store') {
      throw new HttpError(502, 'TorrentUnavailable', 'The storage service cannot serve the torrent of one pinned version.');
    }
    let head: ObjectHead | undefined;
    // The store's GetObjectTorrent has no version parameter: pinned links never ask it.
    if (!pin && store.asks(target.policy)) {
      const answer = await store.fetch(req.target, req.log, req.signal);
      if (answer.kind === 'torrent') {
        const { info, head: h } = answer;
        return this.ready(req, {
          info,
          origin: 'store',
          name: answer.name,
          length: h.size,
          pin: pinOfHead(h),
          creationDate: answer.creationDate,
          requestCharged: answer.requestCharged,
          storeAnnounce: answer.announce,
        });
      }
      head = answer.head;
    }
    head ??= await headServedObject(s3, target, req.signal, pin);
    return this.generated(req, head, isPrivate);
  }

  /** Adds this link's web seeds and trackers around the info dictionary, byte for byte. */
  private ready(req: TorrentRequest, d: Described): TorrentOutcome {
    const infoHash = d.infoHash ?? infoHashOfInfo(d.info);
    const { trackers } = this.deps.config;
    const others = trackers.length > 0 ? trackers : d.storeAnnounce ? [d.storeAnnounce] : [];
    const bytes = buildMetainfo({
      info: d.info,
      webSeeds: req.links.webSeeds(d.pin, infoHash),
      trackers: [...req.links.trackers(infoHash), ...others],
      creationDate: d.creationDate,
    });
    return { state: 'ready', torrent: { bytes, origin: d.origin, infoHash, name: d.name, length: d.length, pin: d.pin, requestCharged: d.requestCharged } };
  }

  private async generated(req: TorrentRequest, head: ObjectHead, isPrivate: boolean): Promise<TorrentOutcome> {
    const { config, builds, jobs, metrics } = this.deps;
    const { target, log } = req;
    if (head.size === 0) throw new HttpError(422, 'EmptyObject', 'The object is empty (0 bytes); a torrent cannot describe it.');
    if (head.size > config.maxGenerateBytes) {
      throw new HttpError(422, 'ObjectTooLarge', `The object is larger than this deployment builds torrents for (${config.maxGenerateBytes} bytes).`);
    }
    const id = torrentIdentity(target.bucket, target.key, head, isPrivate);
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
    return this.ready(req, {
      info,
      origin,
      name: id.name,
      length: head.size,
      pin: pinOfHead(head),
      creationDate: id.lastModified,
      requestCharged: head.requestCharged,
    });
  }
}
