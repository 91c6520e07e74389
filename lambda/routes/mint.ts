import type { KeyRing } from '../links/keyRing';
import { parseTtl } from '../links/parseTtl';
import { mintShareLink } from '../links/shareLinks';
import { HttpError } from '../http/HttpError';
import { objectKeyProblem } from '../http/parseObjectPath';
import { magnetUri } from '../metainfo/magnetUri';
import { getTorrent, isPending, type TorrentDeps } from '../torrents/torrentService';

export interface MintInput {
  bucket?: unknown;
  key?: unknown;
  /** Sign for every key under this prefix (the key must start with it). */
  prefix?: unknown;
  /** Seconds, or `30m`, `12h`, `7d`. */
  ttl?: unknown;
  /** Also return a magnet URI (builds or fetches the torrent to learn its info-hash). */
  magnet?: unknown;
}

export interface MintOutput {
  url: string;
  seedUrl: string;
  expiresAt: string;
  exp: number;
  kid: string;
  magnet?: string;
  infoHash?: string;
  /** With `magnet: true` for a large object still being built: ask again later for the magnet. */
  torrentStatus?: 'building';
}

const bad = (message: string) => new HttpError(400, 'InvalidMintRequest', message);

/**
 * Mints a share link for a served object (or prefix). Refuses buckets and
 * keys the policy does not serve, and lifetimes beyond the configured maximum.
 */
export const mintLink = async (
  deps: TorrentDeps,
  ring: KeyRing,
  input: MintInput,
  baseUrl: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<MintOutput> => {
  const { config } = deps;
  if (typeof input.bucket !== 'string') throw bad('"bucket" is required.');
  if (typeof input.key !== 'string') throw bad('"key" is required.');
  const keyProblem = objectKeyProblem(input.key);
  if (keyProblem) throw bad(`"key" ${keyProblem}.`);
  if (input.prefix !== undefined && (typeof input.prefix !== 'string' || input.prefix.length === 0 || !input.key.startsWith(input.prefix))) {
    throw bad('"prefix" must be a non-empty prefix of "key".');
  }
  const policy = config.buckets.get(input.bucket);
  if (!policy) throw new HttpError(403, 'BucketNotServed', 'This proxy does not serve that bucket.');
  const prefix = input.prefix as string | undefined;
  if (!input.key.startsWith(policy.prefix) || (prefix !== undefined && !prefix.startsWith(policy.prefix))) {
    throw new HttpError(403, 'KeyNotServed', 'This proxy does not serve that key.');
  }
  const ttl = input.ttl === undefined ? config.links.defaultTtlSeconds : parseTtl(input.ttl as string | number);
  if (ttl === undefined) throw bad('"ttl" must be seconds or a duration like 30m, 12h, 7d.');
  if (ttl > config.links.maxTtlSeconds) throw bad(`"ttl" may be at most ${config.links.maxTtlSeconds} seconds.`);
  const exp = nowSeconds + ttl;
  const link = mintShareLink(ring, { baseUrl, bucket: input.bucket, key: input.key, prefix, exp });
  const out: MintOutput = { url: link.url, seedUrl: link.seedUrl, exp, expiresAt: new Date(exp * 1000).toISOString(), kid: link.kid };
  if (input.magnet === true) {
    const torrent = await getTorrent(deps, { policy, key: input.key, webSeeds: [link.seedUrl] });
    if (isPending(torrent)) {
      out.torrentStatus = 'building';
      return out;
    }
    out.infoHash = torrent.infoHash;
    out.magnet = magnetUri({
      infoHash: torrent.infoHash,
      name: torrent.name,
      length: torrent.length,
      torrentUrl: link.url,
      webSeeds: torrent.origin === 'store' ? [] : [link.seedUrl],
      trackers: config.trackers,
    });
  }
  return out;
};
