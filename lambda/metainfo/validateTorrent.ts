import { bdecode, isDict, type BDict } from './bencode';

export interface ValidatedTorrent {
  info: BDict;
  /** Exact bytes of the info dictionary. */
  infoBytes: Buffer;
  name: string;
  length: number;
  pieceLength: number;
  pieceCount: number;
}

export class InvalidTorrentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidTorrentError';
  }
}

/**
 * Checks that bytes are a usable single-file v1 torrent: a bencoded
 * dictionary whose info has name, length, piece length and a pieces string
 * of exactly ceil(length / piece length) SHA-1 digests. Anything else (an
 * object body answered as if it were a torrent, a truncated cache entry) is
 * refused.
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
  if (typeof length === 'number') {
    if (length <= 0) throw new InvalidTorrentError('info.length must be positive');
    if (pieces.length / 20 !== Math.ceil(length / pieceLength)) throw new InvalidTorrentError('piece count does not match length');
    if (expect.length !== undefined && length !== expect.length) {
      throw new InvalidTorrentError(`info.length ${length} differs from the object size ${expect.length}`);
    }
  } else if (!Array.isArray(info.files)) {
    throw new InvalidTorrentError('info has neither length nor files');
  }
  return {
    info,
    infoBytes: bytes.subarray(spans.info[0], spans.info[1]),
    name: name.toString('utf8'),
    length: typeof length === 'number' ? length : -1,
    pieceLength,
    pieceCount: pieces.length / 20,
  };
};
