import type { HashPool } from '../lambda/hashing/hashPool';
import { piecesPerBatch } from '../lambda/hashing/pieceBuffers';

/**
 * The worker pool alone: every piece of `size` bytes already in shared
 * memory hashed on `pool` in the generator's batches (~2 MiB of pieces per
 * message), at most `inFlight` batches out (as many as the generator has
 * slots). The ceiling of the generator without I/O.
 */
export const hashShared = async (pool: HashPool, sab: SharedArrayBuffer, size: number, pieceLength: number, inFlight: number): Promise<Buffer> => {
  const batchBytes = pieceLength * piecesPerBatch(pieceLength);
  const digests: Array<Promise<Buffer>> = [];
  let out = 0;
  const waiters: Array<() => void> = [];
  for (let off = 0; off < size; off += batchBytes) {
    while (out >= inFlight) await new Promise<void>((resolve) => waiters.push(resolve));
    out++;
    digests.push(
      pool.hashPieces(sab, off, Math.min(batchBytes, size - off), pieceLength).finally(() => {
        out--;
        waiters.shift()?.();
      }),
    );
  }
  return Buffer.concat(await Promise.all(digests));
};
