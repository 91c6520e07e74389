import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { allowMethods } from '../http/allowMethods';
import { HttpError } from '../http/HttpError';
import { httpErrorHandler } from '../http/httpErrorHandler';
import { jsonResponse } from '../http/jsonResponse';
import { parseJsonBody } from '../http/parseJsonBody';
import { publicBaseUrl } from '../http/publicBaseUrl';
import { parseTtl } from '../links/parseTtl';
import { parsePin } from '../links/objectPin';
import { folderLinks, torrentLinks } from './torrentLinks';
import { mintShareLink } from '../links/shareLinks';
import { magnetUri } from '../metainfo/magnetUri';
import type { AppLogger } from '../observability/logger';
import { requestLogger, type LoggedContext } from '../observability/requestLogger';
import { objectKeyProblem } from '../policy/objectKeyProblem';
import { servedObject, underServedPrefix } from '../policy/servedObject';
import type { Services } from '../services';

/** The JSON body of `POST /links`, as sent (validated by `parseMintInput`). */
export interface MintInput {
  bucket?: unknown;
  key?: unknown;
  /** Sign for every key under this prefix (the key must start with it). */
  prefix?: unknown;
  /** Seconds, or `30m`, `12h`, `7d`. */
  ttl?: unknown;
  /** Also return a magnet URI (builds or fetches the torrent to learn its info-hash). */
  magnet?: unknown;
  /** Pin the link to this object version (a VersionId of a versioned bucket). */
  version?: unknown;
  /** Share every object under `key` (a prefix ending in `/`) as one multi-file torrent. */
  folder?: unknown;
}

/** The answer of `POST /links`. */
export interface MintOutput {
  url: string;
  /** Absent for folder links (their seed is in the torrent, bound to the folder's snapshot). */
  seedUrl?: string;
  expiresAt: string;
  exp: number;
  kid: string;
  magnet?: string;
  infoHash?: string;
  /** With `magnet: true` for a large object still being built: ask again later for the magnet. */
  torrentStatus?: 'building';
  /** The version the link is pinned to, when it is. */
  version?: string;
}

const bad = (message: string) => new HttpError(400, 'InvalidMintRequest', message);

/**
 * Mints a share link for a served object (or prefix). Refuses buckets and
 * keys the policy does not serve, and lifetimes beyond the configured maximum.
 */
export const mintLink = async (s: Services, input: MintInput, baseUrl: string, log: AppLogger, nowSeconds: number = s.now()): Promise<MintOutput> => {
  const { config } = s;
  if (typeof input.bucket !== 'string') throw bad('"bucket" is required.');
  if (typeof input.key !== 'string') throw bad('"key" is required.');
  const keyProblem = objectKeyProblem(input.key);
  if (keyProblem) throw bad(`"key" ${keyProblem}.`);
  if (input.prefix !== undefined && (typeof input.prefix !== 'string' || input.prefix.length === 0 || !input.key.startsWith(input.prefix))) {
    throw bad('"prefix" must be a non-empty prefix of "key".');
  }
  if (input.version !== undefined && (typeof input.version !== 'string' || !parsePin(`v:${input.version}`))) {
    throw bad('"version" must be a VersionId (printable ASCII, at most 1024 characters).');
  }
  if (input.version !== undefined && input.prefix !== undefined) throw bad('"version" pins one object; it cannot be combined with "prefix".');
  if (input.folder !== undefined && typeof input.folder !== 'boolean') throw bad('"folder" must be true or false.');
  const folder = input.folder === true;
  if (folder && (!input.key.endsWith('/') || input.prefix !== undefined || input.version !== undefined)) {
    throw bad('A folder link names a prefix ending in "/" as "key", without "prefix" or "version".');
  }
  const version = input.version as string | undefined;
  const prefix = input.prefix as string | undefined;
  const target = servedObject(config.buckets, input.bucket, input.key);
  if (prefix !== undefined && !underServedPrefix(target.policy, prefix)) throw new HttpError(403, 'KeyNotServed', 'This proxy does not serve that key.');
  const ttl = input.ttl === undefined ? config.links.defaultTtlSeconds : parseTtl(input.ttl as string | number);
  if (ttl === undefined) throw bad('"ttl" must be seconds or a duration like 30m, 12h, 7d.');
  if (ttl > config.links.maxTtlSeconds) throw bad(`"ttl" may be at most ${config.links.maxTtlSeconds} seconds.`);
  const exp = nowSeconds + ttl;
  const link = mintShareLink(await s.keyRing(), { baseUrl, bucket: input.bucket, key: input.key, prefix, version, folder, exp });
  const out: MintOutput = { url: link.url, seedUrl: link.seedUrl, exp, expiresAt: new Date(exp * 1000).toISOString(), kid: link.kid, version };
  if (input.magnet !== true) return out;
  const ring = await s.keyRing();
  const links = torrentLinks(ring, baseUrl, target.bucket, target.key, exp);
  const torrent = folder
    ? await s.folders.get({ target, links: folderLinks(ring, baseUrl, target.bucket, exp), log })
    : await s.torrents.get({ target, links, log, pin: version === undefined ? undefined : { versionId: version } });
  if (torrent.state === 'building') return { ...out, torrentStatus: 'building' };
  const t = torrent.torrent;
  return {
    ...out,
    infoHash: t.infoHash,
    magnet: magnetUri({
      infoHash: t.infoHash,
      name: t.name,
      length: t.length,
      torrentUrl: link.url,
      webSeeds: t.pin ? links.webSeeds(t.pin, t.infoHash) : t.folder ? folderLinks(ring, baseUrl, target.bucket, exp).webSeeds(t.folder, t.infoHash) : [],
      // Private torrents find peers only through trackers: the magnet names ours (and the configured ones).
      trackers: [...links.trackers(t.infoHash), ...config.trackers],
    }),
  };
};

/** `POST /links` (IAM): mint a share link. */
export const mintRoute = (s: Services) =>
  middy<APIGatewayProxyEvent, unknown, Error, LoggedContext>()
    .use([requestLogger({ route: 'links', logger: s.logger, metrics: s.metrics }), httpErrorHandler({ logger: s.logger }), allowMethods(['POST'])])
    .handler(async (event, context) => jsonResponse(201, await mintLink(s, parseJsonBody<MintInput>(event), publicBaseUrl(event, s.config), context.log)));
