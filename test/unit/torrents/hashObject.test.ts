import fc from 'fast-check';
import { planSegments } from '../../../lambda/torrents/generateInfo';
import { planParts } from '../../../lambda/torrents/hashObject';

describe('planParts', () => {
  test.each<[string, number, number, number, Array<[number, number]>]>([
    ['an empty object', 0, 16_384, 8 * 1024 * 1024, []],
    ['a one-byte object', 1, 16_384, 8 * 1024 * 1024, [[0, 0]]],
    ['an object smaller than one part', 40_000, 16_384, 8 * 1024 * 1024, [[0, 39_999]]],
    [
      'parts rounded up to whole pieces',
      100_000,
      16_384,
      20_000,
      [
        [0, 32_767],
        [32_768, 65_535],
        [65_536, 98_303],
        [98_304, 99_999],
      ],
    ],
    [
      'parts smaller than a piece grown to one piece',
      40_000,
      16_384,
      1,
      [
        [0, 16_383],
        [16_384, 32_767],
        [32_768, 39_999],
      ],
    ],
    [
      'a size of exactly two parts',
      65_536,
      16_384,
      32_768,
      [
        [0, 32_767],
        [32_768, 65_535],
      ],
    ],
  ])('plans %s', (_label, size, pieceLength, partBytes, expected) => {
    expect(planParts(size, pieceLength, partBytes)).toEqual(expected);
  });

  test('covers [0, size) with contiguous inclusive ranges of whole pieces, only the last one shorter', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.constantFrom(16_384, 32_768, 1_048_576, 16_777_216), fc.integer({ min: 0, max: 512 * 1024 * 1024 })).chain(([pieceLength, partBytes]) => {
          // Sizes up to 2000 parts (or 5 TiB), so a plan stays small enough to walk.
          const partLength = Math.max(1, Math.ceil(partBytes / pieceLength)) * pieceLength;
          return fc.tuple(
            fc.nat({ max: Math.min(5 * 1024 ** 4, 2_000 * partLength) }),
            fc.constant(pieceLength),
            fc.constant(partBytes),
            fc.constant(partLength),
          );
        }),
        ([size, pieceLength, partBytes, partLength]) => {
          // Act
          const parts = planParts(size, pieceLength, partBytes);

          // Assert: one summary of every range, compared whole.
          let next = 0;
          const problems: string[] = [];
          parts.forEach(([start, end], i) => {
            const length = end - start + 1;
            const last = i === parts.length - 1;
            if (start !== next) problems.push(`part ${i} starts at ${start}, not ${next}`);
            if (last ? length < 1 || length > partLength : length !== partLength) problems.push(`part ${i} is ${length} bytes`);
            if (start % pieceLength !== 0) problems.push(`part ${i} starts mid-piece`);
            next = end + 1;
          });
          expect({ problems, covered: next, count: parts.length }).toEqual({ problems: [], covered: size, count: Math.ceil(size / partLength) });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('planSegments', () => {
  test.each<[string, number, number, number, Array<{ start: number; end: number }>]>([
    ['an empty object', 0, 16_384, 1_000_000, []],
    ['an object under one segment', 50_000, 16_384, 1_000_000, [{ start: 0, end: 50_000 }]],
    [
      'segments rounded up to whole pieces',
      100_000,
      16_384,
      40_000,
      [
        { start: 0, end: 49_152 },
        { start: 49_152, end: 98_304 },
        { start: 98_304, end: 100_000 },
      ],
    ],
  ])('splits %s', (_label, size, pieceLength, segmentBytes, expected) => {
    expect(planSegments(size, pieceLength, segmentBytes)).toEqual(expected);
  });

  test('splits [0, size) into contiguous half-open segments that start on piece boundaries', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10 * 1024 ** 3 }),
        fc.constantFrom(16_384, 1_048_576, 16_777_216),
        fc.integer({ min: 1, max: 64 * 1024 ** 3 }),
        (size, pieceLength, segmentBytes) => {
          fc.pre(size / Math.max(segmentBytes, pieceLength) <= 2_000);

          const segments = planSegments(size, pieceLength, segmentBytes);

          const problems = segments.flatMap((s, i) => [
            ...(s.start !== (i === 0 ? 0 : segments[i - 1].end) ? [`segment ${i} is not contiguous`] : []),
            ...(s.start % pieceLength !== 0 ? [`segment ${i} starts mid-piece`] : []),
            ...(s.end <= s.start ? [`segment ${i} is empty`] : []),
          ]);
          expect({ problems, end: segments.at(-1)?.end ?? 0 }).toEqual({ problems: [], end: size });
        },
      ),
      { numRuns: 300 },
    );
  });
});
