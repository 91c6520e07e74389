import { createCipheriv } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const CHUNK = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

/**
 * `size` deterministic pseudo-random bytes: the AES-128-CTR keystream of a
 * fixed key (several GB/s with AES-NI). No two pieces repeat, and the same
 * seed gives the same bytes (and info-hash) on every run.
 */
export const pseudoRandomStream = (size: number, seed = 1): Readable => {
  const key = Buffer.alloc(16, seed);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  let left = size;
  return new Readable({
    highWaterMark: 2,
    objectMode: false,
    read() {
      if (left === 0) return this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(n === CHUNK ? ZEROS : ZEROS.subarray(0, n)));
    },
  });
};

/** Writes `size` pseudo-random bytes (see pseudoRandomStream) to `path`. */
export const writeFixture = async (path: string, size: number, seed = 1): Promise<void> => {
  await pipeline(pseudoRandomStream(size, seed), createWriteStream(path));
};
