import fc from 'fast-check';
import { choosePieceLength, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../../../lambda/metainfo/choosePieceLength';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const objectSize = fc.oneof(fc.nat({ max: 64 * MiB }), fc.nat({ max: 64 * GiB }), fc.nat({ max: 5 * TiB }));

describe('choosePieceLength', () => {
  test.each([
    [0, 16 * KiB],
    [1, 16 * KiB],
    [32 * MiB, 16 * KiB],
    [32 * MiB + 1, 32 * KiB],
    [100 * MiB, 64 * KiB],
    [4 * GiB, 2 * MiB],
    [32 * GiB, 16 * MiB],
    [32 * GiB + 1, 16 * MiB],
    [5 * TiB, 16 * MiB],
  ])('gives %d bytes pieces of %d bytes', (size, expected) => {
    expect(choosePieceLength(size)).toBe(expected);
  });

  test('gives a power of two from 16 KiB to 16 MiB for every size', () => {
    fc.assert(
      fc.property(objectSize, (size) => {
        const length = choosePieceLength(size);

        expect(Number.isInteger(Math.log2(length))).toBe(true);
        expect(length).toBeGreaterThanOrEqual(MIN_PIECE_LENGTH);
        expect(length).toBeLessThanOrEqual(MAX_PIECE_LENGTH);
      }),
      { numRuns: 500 },
    );
  });

  test('keeps objects up to 32 GiB at 2048 pieces or fewer, with the smallest such length', () => {
    fc.assert(
      fc.property(fc.nat({ max: 32 * GiB }), (size) => {
        const length = choosePieceLength(size);

        expect(Math.ceil(size / length)).toBeLessThanOrEqual(2048);
        if (length > MIN_PIECE_LENGTH) expect(Math.ceil(size / (length / 2))).toBeGreaterThan(2048);
      }),
      { numRuns: 500 },
    );
  });

  test('never gives a larger object a smaller piece length', () => {
    fc.assert(
      fc.property(objectSize, objectSize, (a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];

        expect(choosePieceLength(small)).toBeLessThanOrEqual(choosePieceLength(large));
      }),
      { numRuns: 500 },
    );
  });

  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses the size %d with a RangeError', (size) => {
    expect(() => choosePieceLength(size)).toThrow(new RangeError(`invalid object size ${size}`));
  });
});
