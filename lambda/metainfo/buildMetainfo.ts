import { bencode } from './bencode';

export interface InfoFields {
  /** Display name (the key's last path segment). */
  name: string;
  length: number;
  pieceLength: number;
  /** Concatenated SHA-1 digests. */
  pieces: Buffer;
  /** BEP 27: peers come only from the torrent's trackers (no DHT, PEX or LSD). */
  private?: boolean;
}

/**
 * The bencoded `info` dictionary of a BEP 3 single-file torrent. Only the
 * four standard keys (and BEP 27's `private` for private swarms): identical
 * object bytes, name and flag give an identical info-hash, whichever tool or
 * link produced it.
 */
export const buildInfo = (fields: InfoFields): Buffer => {
  if (fields.pieces.length % 20 !== 0) throw new RangeError('pieces must be a multiple of 20 bytes');
  const expectedPieces = Math.ceil(fields.length / fields.pieceLength);
  if (fields.pieces.length / 20 !== expectedPieces) {
    throw new RangeError(`expected ${expectedPieces} piece hashes for ${fields.length} bytes, got ${fields.pieces.length / 20}`);
  }
  return bencode({
    length: fields.length,
    name: fields.name,
    'piece length': fields.pieceLength,
    pieces: fields.pieces,
    ...(fields.private ? { private: 1 } : {}),
  });
};

export interface FolderInfoFields {
  /** Display name of the folder (the prefix's last segment). */
  name: string;
  /** The files in torrent order: their bytes, concatenated, are what `pieces` hashes. Zero-length files included. */
  files: Array<{ length: number; path: string[] }>;
  pieceLength: number;
  /** Concatenated SHA-1 digests over all files' bytes, end to end. */
  pieces: Buffer;
  /** BEP 27, as for buildInfo. */
  private?: boolean;
}

/**
 * The bencoded `info` dictionary of a BEP 3 multi-file torrent: `files`
 * (each `{ length, path }`, in the given order), `name`, `piece length`,
 * `pieces` and BEP 27's `private` when set. No pad files, attributes or
 * times: the same files, order, name and flag give the same info-hash as
 * libtorrent's v1 create_torrent.
 *
 * @example
 * buildFolderInfo({ name: 'set', files: [{ length: 1, path: ['a'] }], pieceLength: 16384, pieces: sha1OfTheByte }).toString('latin1')
 * // 'd5:filesld6:lengthi1e4:pathl1:aeee4:name3:set12:piece lengthi16384e6:pieces20:…e'
 */
export const buildFolderInfo = (fields: FolderInfoFields): Buffer => {
  if (fields.files.length === 0) throw new RangeError('a multi-file torrent needs at least one file');
  let total = 0;
  for (const [i, file] of fields.files.entries()) {
    if (!Number.isSafeInteger(file.length) || file.length < 0) throw new RangeError(`files[${i}] has an invalid length ${file.length}`);
    if (file.path.length === 0) throw new RangeError(`files[${i}] has an empty path`);
    total += file.length;
  }
  if (fields.pieces.length % 20 !== 0) throw new RangeError('pieces must be a multiple of 20 bytes');
  const expectedPieces = Math.ceil(total / fields.pieceLength);
  if (fields.pieces.length / 20 !== expectedPieces) {
    throw new RangeError(`expected ${expectedPieces} piece hashes for ${total} bytes, got ${fields.pieces.length / 20}`);
  }
  return bencode({
    files: fields.files.map((f) => ({ length: f.length, path: f.path })),
    name: fields.name,
    'piece length': fields.pieceLength,
    pieces: fields.pieces,
    ...(fields.private ? { private: 1 } : {}),
  });
};

export interface MetainfoOptions {
  /** Bencoded info dictionary (from buildInfo, or a verified cache entry). */
  info: Buffer;
  /** BEP 19 web seeds, top level (never in info, so links share one swarm). */
  webSeeds: string[];
  trackers: string[];
  /** Seconds since the epoch: the object's LastModified, never the wall clock. */
  creationDate?: number;
  comment?: string;
}

/** A bencoded UTF-8 string, as text whose length prefix counts its UTF-8 bytes (the text is encoded once, whole). */
const text = (s: string): string => `${Buffer.byteLength(s, 'utf8')}:${s}`;

/**
 * A complete .torrent: the info dictionary is spliced in byte for byte, so
 * its hash is exactly the info-hash computed from `info`. Written straight
 * in BEP 3's key order (announce, announce-list, comment, created by,
 * creation date, info, url-list): each link's torrent is this link's few
 * strings around the same info bytes, so nothing else is encoded per request.
 * The bytes are those of `bencode` over the same dictionary.
 */
export const buildMetainfo = (opts: MetainfoOptions): Buffer => {
  const { trackers, webSeeds, comment, creationDate } = opts;
  let head = 'd';
  if (trackers.length > 0) head += `8:announce${text(trackers[0])}`;
  if (trackers.length > 1) head += `13:announce-listl${trackers.map((t) => `l${text(t)}e`).join('')}e`;
  if (comment !== undefined) head += `7:comment${text(comment)}`;
  head += '10:created by16:s3-torrent-proxy';
  if (creationDate !== undefined) {
    if (!Number.isSafeInteger(creationDate)) throw new TypeError(`bencode: ${creationDate} is not a safe integer`);
    head += `13:creation datei${creationDate}e`;
  }
  head += '4:info';
  const tail = webSeeds.length > 0 ? `8:url-listl${webSeeds.map(text).join('')}ee` : 'e';
  return Buffer.concat([Buffer.from(head, 'utf8'), opts.info, Buffer.from(tail, 'utf8')]);
};
