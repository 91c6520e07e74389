import { open } from 'node:fs/promises';
import { HashPool } from '../lambda/hashing/hashPool';
import { PieceBuffers, piecesPerBatch } from '../lambda/hashing/pieceBuffers';

export interface HashFileOptions {
  pieceLength: number;
  /** Piece reads in flight at once (each into its own pooled buffer). */
  readers: number;
  /** Pooled slots of ~2 MiB of whole pieces (at least `readers`). */
  buffers: number;
  pool: HashPool;
}

/**
 * The generator's hashing core over a local file: the Lambda's HashPool and
 * PieceBuffers, with `readers` positional reads in flight, each straight
 * into a free 64-byte-aligned piece slot (no intermediate copy), handed to a
 * worker when full. Returns the concatenated piece digests.
 */
export const hashFile = async (path: string, opts: HashFileOptions): Promise<Buffer> => {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const { pieceLength, pool } = opts;
    // Whole batches of pieces per read and per worker message, as the generator does.
    const batch = piecesPerBatch(pieceLength);
    const slotLength = pieceLength * batch;
    const count = Math.ceil(size / slotLength);
    const buffers = new PieceBuffers(pieceLength, Math.max(opts.readers, opts.buffers), batch);
    const digests: Array<Promise<Buffer>> = new Array(count);
    let next = 0;
    const reader = async () => {
      while (next < count) {
        const index = next++;
        const acquired = buffers.acquire();
        const slot = acquired instanceof Promise ? await acquired : acquired;
        const length = Math.min(slotLength, size - index * slotLength);
        let filled = 0;
        try {
          while (filled < length) {
            const { bytesRead } = await fh.read(slot.view, filled, length - filled, index * slotLength + filled);
            if (bytesRead === 0) throw new Error(`file ended early in batch ${index}`);
            filled += bytesRead;
          }
        } catch (err) {
          buffers.release(slot);
          throw err;
        }
        const digest = pool.hashPieces(buffers.sab, slot.offset, length, pieceLength).finally(() => buffers.release(slot));
        digest.catch(() => undefined);
        digests[index] = digest;
      }
    };
    await Promise.all(Array.from({ length: opts.readers }, reader));
    return Buffer.concat(await Promise.all(digests));
  } finally {
    await fh.close();
  }
};
