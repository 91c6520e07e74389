import { HashPool } from './hashPool';
import { PieceBuffers, piecesPerBatch } from './pieceBuffers';
import { PieceHasher } from './PieceHasher';

export interface HashProgress {
  bytes: number;
}

export interface HashedPieces {
  /** Concatenated 20-byte SHA-1 digests, one per piece. */
  pieces: Buffer;
  /** Bytes read from the source. */
  length: number;
}

export interface HashStreamOptions {
  /** Worker pool (default: a pool of its own for this one stream, closed when it ends). */
  pool?: HashPool;
  /** Shared slots to write into (several concurrent streams may share one set); default: a small set of its own. */
  buffers?: PieceBuffers;
}

/**
 * SHA-1 of each `pieceLength` piece of a byte stream (the last piece may be
 * shorter), hashed on worker threads from bounded shared buffers, so memory
 * stays at a few slots whatever the stream's size.
 *
 * @example
 * const { pieces } = await hashStream(Readable.from([data]), 16384, undefined, { pool });
 */
export const hashStream = async (
  source: AsyncIterable<Uint8Array>,
  pieceLength: number,
  onProgress?: (p: HashProgress) => void,
  opts: HashStreamOptions = {},
): Promise<HashedPieces> => {
  if (!Number.isInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`invalid piece length ${pieceLength}`);
  const pool = opts.pool ?? new HashPool();
  try {
    return await hashWith(source, pieceLength, pool, onProgress, opts.buffers);
  } finally {
    if (!opts.pool) await pool.close();
  }
};

const hashWith = async (
  source: AsyncIterable<Uint8Array>,
  pieceLength: number,
  pool: HashPool,
  onProgress: ((p: HashProgress) => void) | undefined,
  given: PieceBuffers | undefined,
): Promise<HashedPieces> => {
  const buffers = given ?? new PieceBuffers(pieceLength, 1 + 2 * pool.size, piecesPerBatch(pieceLength));
  if (buffers.pieceLength !== pieceLength) throw new RangeError('buffers were made for another piece length');
  const hasher = new PieceHasher(pool, buffers);
  try {
    for await (const chunk of source) {
      const wait = hasher.write(chunk);
      if (wait) await wait;
      onProgress?.({ bytes: hasher.length });
    }
    return { pieces: await hasher.end(), length: hasher.length };
  } catch (err) {
    hasher.abandon();
    throw err;
  }
};
