import { sharedHashPool, type HashPool } from './hashPool';
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

export interface HashPiecesOptions {
  /** Worker pool (default: the process-wide pool, one worker per core). */
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
 * const { pieces } = await hashPieces(Readable.from([data]), 16384);
 */
export const hashPieces = async (
  source: AsyncIterable<Uint8Array>,
  pieceLength: number,
  onProgress?: (p: HashProgress) => void,
  opts: HashPiecesOptions = {},
): Promise<HashedPieces> => {
  if (!Number.isInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`invalid piece length ${pieceLength}`);
  const pool = opts.pool ?? sharedHashPool();
  const buffers = opts.buffers ?? new PieceBuffers(pieceLength, 1 + 2 * pool.size, piecesPerBatch(pieceLength));
  if (buffers.pieceLength !== pieceLength) throw new RangeError('buffers were made for another piece length');
  const hasher = new PieceHasher(pool, buffers);
  try {
    for await (const chunk of source) {
      await hasher.write(chunk);
      onProgress?.({ bytes: hasher.length });
    }
    return { pieces: await hasher.end(), length: hasher.length };
  } catch (err) {
    hasher.abandon();
    throw err;
  }
};
