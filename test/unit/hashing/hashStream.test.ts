import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { hashStream, type HashProgress } from '../../../lambda/hashing/hashStream';

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();

/** Piece hashes computed directly over slices: the independent answer. */
const expectedPieces = (data: Buffer, pieceLength: number): Buffer => {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += pieceLength) out.push(sha1(data.subarray(off, off + pieceLength)));
  return Buffer.concat(out);
};

/** Deterministic bytes from a seed (xorshift32), cheap enough for 200 KB per run. */
const bytesFrom = (seed: number, length: number): Buffer => {
  const out = Buffer.allocUnsafe(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
};

/** Pieces as hex, so a mismatch prints readably and compares fast. */
const hex = (r: { pieces: Buffer; length: number }) => ({ pieces: r.pieces.toString('hex'), length: r.length });

async function* chunks(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

/** `data` copied into a larger buffer at `shift`, then cut at `cuts`: views with odd byteOffsets. */
const chunked = (data: Buffer, shift: number, cuts: number[]): Uint8Array[] => {
  const backing = Buffer.alloc(data.length + shift + 7, 0xee);
  data.copy(backing, shift);
  const view = backing.subarray(shift, shift + data.length);
  const points = [0, ...[...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b), data.length];
  const out: Uint8Array[] = [];
  for (let i = 1; i < points.length; i++) out.push(view.subarray(points[i - 1], points[i]));
  return out;
};

describe('hashStream', () => {
  const hashesLikeSlices = (maxLength: number, pieceLengths: number[]) =>
    fc.asyncProperty(
      fc.integer(),
      fc.nat({ max: maxLength }),
      fc.constantFrom(...pieceLengths),
      fc.nat({ max: 63 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      async (seed, length, pieceLength, shift, cuts) => {
        // Arrange
        const data = bytesFrom(seed, length);
        const parts = chunked(data, shift, cuts);

        // Act
        const result = await hashStream(chunks(parts), pieceLength);

        // Assert
        expect(hex(result)).toEqual({ pieces: expectedPieces(data, pieceLength).toString('hex'), length });
      },
    );

  test('hashes pieces exactly as SHA-1 over each slice, whatever the chunking and alignment', async () => {
    await fc.assert(hashesLikeSlices(200_000, [64, 1000, 16_384, 32_768, 65_536]), { numRuns: 200 });
  });

  test('hashes pieces of a few bytes exactly as SHA-1 over each slice', async () => {
    await fc.assert(hashesLikeSlices(2_000, [1, 7, 63]), { numRuns: 200 });
  });

  test('hashes whole pieces inside one misaligned chunk without reusing stale bytes', async () => {
    // Arrange: three whole pieces at byteOffset 3, then a short tail in its own chunk.
    const data = bytesFrom(42, 3 * 16_384 + 100);
    const parts = chunked(data, 3, [3 * 16_384]);

    // Act
    const result = await hashStream(chunks(parts), 16_384);

    // Assert
    expect(parts[0].byteOffset % 64).toBe(3);
    expect(hex(result)).toEqual({ pieces: expectedPieces(data, 16_384).toString('hex'), length: data.length });
  });

  test('gives no pieces for an empty stream', async () => {
    expect(await hashStream(chunks([]), 16_384)).toEqual({ pieces: Buffer.alloc(0), length: 0 });
  });

  test('gives no pieces for a stream of empty chunks', async () => {
    expect(await hashStream(chunks([new Uint8Array(0), new Uint8Array(0)]), 16_384)).toEqual({ pieces: Buffer.alloc(0), length: 0 });
  });

  test('reports the running byte count after each chunk, ending at the total', async () => {
    // Arrange
    const data = bytesFrom(7, 50_000);
    const seen: HashProgress[] = [];

    // Act
    await hashStream(chunks(chunked(data, 1, [10_000, 10_001, 40_000])), 16_384, (p) => seen.push({ ...p }));

    // Assert
    expect(seen).toEqual([{ bytes: 10_000 }, { bytes: 10_001 }, { bytes: 40_000 }, { bytes: 50_000 }]);
  });

  test.each([0, -1, 1.5, Number.NaN])('refuses the piece length %d', async (pieceLength) => {
    await expect(hashStream(chunks([]), pieceLength)).rejects.toThrow(new RangeError(`invalid piece length ${pieceLength}`));
  });
});
