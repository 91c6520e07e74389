import { bdecode, isDict, type BDecoded, type BDict } from './bencode';

export interface ValidatedTorrent {
  info: BDict;
  /** Exact bytes of the info dictionary. */
  infoBytes: Buffer;
  name: string;
  /** The single file's length, or the total of a multi-file torrent's files. */
  length: number;
  pieceLength: number;
  pieceCount: number;
  /** A multi-file torrent's files in torrent order (paths as UTF-8 segments); undefined for a single-file torrent. */
  files?: Array<{ length: number; path: string[] }>;
}

export class InvalidTorrentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidTorrentError';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Why a `path` segment cannot name a file or folder on a downloader's disk, or undefined. */
const segmentProblem = (segment: BDecoded): string | undefined => {
  if (!Buffer.isBuffer(segment) || segment.length === 0) return 'is empty or not a string';
  if (segment.includes(0x2f) || segment.includes(0x00)) return 'contains "/" or NUL';
  try {
    UTF8.decode(segment);
  } catch {
    return 'is not UTF-8';
  }
  const text = segment.toString('utf8');
  if (text === '.' || text === '..') return 'is "." or ".."';
  return undefined;
};

/** The entries of a multi-file info's `files`, each a non-negative length and a usable relative path. */
const validateFiles = (files: BDecoded[]): Array<{ length: number; path: string[] }> => {
  if (files.length === 0) throw new InvalidTorrentError('info.files is empty');
  return files.map((entry, i) => {
    if (!isDict(entry)) throw new InvalidTorrentError(`info.files[${i}] is not a dictionary`);
    const { length, path } = entry;
    if (typeof length !== 'number' || length < 0) throw new InvalidTorrentError(`info.files[${i}].length must be a non-negative integer`);
    if (!Array.isArray(path) || path.length === 0) throw new InvalidTorrentError(`info.files[${i}].path must be a non-empty list`);
    for (const [j, segment] of path.entries()) {
      const problem = segmentProblem(segment);
      if (problem) throw new InvalidTorrentError(`info.files[${i}].path[${j}] ${problem}`);
    }
    return { length, path: path.map((segment) => (segment as Buffer).toString('utf8')) };
  });
};

/**
 * Checks that bytes are a usable v1 torrent: a bencoded dictionary whose
 * info has name, piece length, a pieces string of exactly
 * ceil(length / piece length) SHA-1 digests and either a single file's
 * length or a list of files (BEP 3), never both. Anything else (an object
 * body answered as if it were a torrent, a truncated cache entry, a file
 * path that could leave the download folder) is refused. `expect.length` is
 * compared with the single file's length or the files' total.
 */
export const validateTorrent = (bytes: Buffer, expect: { length?: number } = {}): ValidatedTorrent => {
  if (bytes.length === 0 || bytes[0] !== 0x64) throw new InvalidTorrentError('not a bencoded dictionary');
  let decoded: ReturnType<typeof bdecode>;
  try {
    decoded = bdecode(bytes);
  } catch (err) {
    throw new InvalidTorrentError('not valid bencode', { cause: err });
  }
  const { value, spans } = decoded;
  if (!isDict(value) || !isDict(value.info) || !spans.info) throw new InvalidTorrentError('no info dictionary');
  const info = value.info;
  const name = info.name;
  const length = info.length;
  const pieceLength = info['piece length'];
  const pieces = info.pieces;
  if (!Buffer.isBuffer(name) || name.length === 0) throw new InvalidTorrentError('info.name missing');
  if (typeof pieceLength !== 'number' || pieceLength <= 0) throw new InvalidTorrentError('info["piece length"] missing');
  if (!Buffer.isBuffer(pieces) || pieces.length % 20 !== 0) throw new InvalidTorrentError('info.pieces malformed');
  const result = {
    info,
    infoBytes: bytes.subarray(spans.info[0], spans.info[1]),
    name: name.toString('utf8'),
    pieceLength,
    pieceCount: pieces.length / 20,
  };
  if (typeof length === 'number') {
    // Clients disagree on which of the two wins (libtorrent reads `files`): refuse the ambiguity.
    if (info.files !== undefined) throw new InvalidTorrentError('info has both length and files');
    if (length <= 0) throw new InvalidTorrentError('info.length must be positive');
    if (pieces.length / 20 !== Math.ceil(length / pieceLength)) throw new InvalidTorrentError('piece count does not match length');
    if (expect.length !== undefined && length !== expect.length) {
      throw new InvalidTorrentError(`info.length ${length} differs from the object size ${expect.length}`);
    }
    return { ...result, length };
  }
  if (!Array.isArray(info.files)) throw new InvalidTorrentError('info has neither length nor files');
  const files = validateFiles(info.files);
  const total = files.reduce((sum, f) => sum + f.length, 0);
  if (!Number.isSafeInteger(total)) throw new InvalidTorrentError('info.files total length out of range');
  // libtorrent refuses a torrent of no bytes ("invalid length of torrent").
  if (total <= 0) throw new InvalidTorrentError('info.files total length must be positive');
  if (pieces.length / 20 !== Math.ceil(total / pieceLength)) throw new InvalidTorrentError('piece count does not match length');
  if (expect.length !== undefined && total !== expect.length) {
    throw new InvalidTorrentError(`info.files total length ${total} differs from the expected size ${expect.length}`);
  }
  return { ...result, length: total, files };
};
