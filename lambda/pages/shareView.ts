import type { APIGatewayProxyEvent } from 'aws-lambda';
import { encodeKeyPath } from '../http/parseObjectPath';
import { bdecode, isDict, type BDecoded } from '../metainfo/bencode';
import { magnetUri } from '../metainfo/magnetUri';
import { validateTorrent } from '../metainfo/validateTorrent';
import type { TorrentResult } from '../torrents/types';

/** Everything the share page shows, typed once from the torrent the link gives and the link itself. */
export interface ShareView {
  name: string;
  /** Total bytes (a folder: all of its files). */
  length: number;
  infoHash: string;
  /** The object's LastModified (a folder: its newest file's), as the torrent's `creation date` carries it. */
  lastModified?: number;
  /** The link's expiry, seconds since the epoch. */
  expiresAt: number;
  now: number;
  /** The share link, absolute, as minted (what clients such as aria2 are given). */
  shareUrl: string;
  /** The .torrent button: the same link with `as=torrent`, relative to the page. */
  torrentHref: string;
  torrentFileName: string;
  magnet: string;
  pieceLength: number;
  pieceCount: number;
  /** BEP 27: peers only through the link's tracker. */
  isPrivate: boolean;
  /** A folder's files, in torrent order, paths relative to the folder. */
  files?: Array<{ path: string; length: number }>;
}

/** The signed parameters of a torrent link, in the order `torrentLinkUrl` writes them; `as` and anything unknown are left out. */
const LINK_PARAMS = ['exp', 'kid', 'sig', 'prefix', 'version', 'folder'];

/** The presented link's query string, rebuilt from its signed parameters only. */
export const linkQuery = (event: Pick<APIGatewayProxyEvent, 'queryStringParameters'>): URLSearchParams => {
  const q = event.queryStringParameters ?? {};
  const out = new URLSearchParams();
  for (const name of LINK_PARAMS) {
    const v = q[name];
    if (v !== undefined && v !== null) out.set(name, v);
  }
  return out;
};

/** Every string in a bencoded string or (nested) list of strings: `announce-list` is a list of tiers. */
const texts = (v: BDecoded | undefined): string[] => {
  if (Buffer.isBuffer(v)) return [v.toString('utf8')];
  if (Array.isArray(v)) return v.flatMap(texts);
  return [];
};

export interface ShareViewInput {
  torrent: TorrentResult;
  baseUrl: string;
  bucket: string;
  /** The key of the request's path (a folder link: the folder's prefix). */
  key: string;
  query: URLSearchParams;
  expiresAt: number;
  now: number;
}

/** The share page's view of a torrent: its own bytes are the source (name, files, trackers and web seeds are exactly this link's). */
export const shareView = (i: ShareViewInput): ShareView => {
  const t = i.torrent;
  const valid = validateTorrent(t.bytes);
  const { value } = bdecode(t.bytes);
  const top = isDict(value) ? value : {};
  const trackers = [...new Set([...texts(top.announce), ...texts(top['announce-list'])])];
  // `'` as %27 (the same key once decoded), so the URL pastes into a shell inside single quotes.
  const shareUrl = `${i.baseUrl}/torrent/${i.bucket}/${encodeKeyPath(i.key).replaceAll("'", '%27')}?${i.query.toString()}`;
  const buttonQuery = new URLSearchParams(i.query);
  buttonQuery.set('as', 'torrent');
  const created = top['creation date'];
  return {
    name: valid.name,
    length: valid.length,
    infoHash: t.infoHash,
    lastModified: typeof created === 'number' && created > 0 ? created : undefined,
    expiresAt: i.expiresAt,
    now: i.now,
    shareUrl,
    torrentHref: `?${buttonQuery.toString()}`,
    torrentFileName: `${valid.name}.torrent`,
    magnet: magnetUri({ infoHash: t.infoHash, name: valid.name, length: valid.length, torrentUrl: shareUrl, webSeeds: texts(top['url-list']), trackers }),
    pieceLength: valid.pieceLength,
    pieceCount: valid.pieceCount,
    isPrivate: valid.info.private === 1,
    files: valid.files?.map((f) => ({ path: f.path.join('/'), length: f.length })),
  };
};
