import type { HashPool } from '../lambda/torrent/hashPool';

/**
 * The worker pool alone: every piece of `size` bytes already in shared
 * memory hashed on `pool`, at most `inFlight` jobs out (as many as the
 * generator has piece buffers). The ceiling of the generator without I/O.
 */
export const hashShared = async (pool: HashPool, sab: SharedArrayBuffer, size: number, pieceLength: number, inFlight: number): Promise<Buffer> => {
  const digests: Array<Promise<Buffer>> = [];
  let out = 0;
  const waiters: Array<() => void> = [];
  for (let off = 0; off < size; off += pieceLength) {
    while (out >= inFlight) await new Promise<void>((resolve) => waiters.push(resolve));
    out++;
    digests.push(
      pool.hash(sab, off, Math.min(pieceLength, size - off)).finally(() => {
        out--;
        waiters.shift()?.();
      }),
    );
  }
  return Buffer.concat(await Promise.all(digests));
};
