import fc from 'fast-check';
import { FANOUT_MODEL, MAX_SEGMENTS, type FanoutModel } from '../../../lambda/fanout/fanoutModel';
import { segmentPlan } from '../../../lambda/fanout/segmentPlan';
import { choosePieceLength } from '../../../lambda/metainfo/choosePieceLength';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const PL16M = 16 * MiB;

/** A model whose limit is exactly `pieces` pieces of `pieceLength` (throughput × timeout / margin). */
const tiny = (limitBytes: number, over: Partial<FanoutModel> = {}): FanoutModel => ({
  ...FANOUT_MODEL,
  bytesPerSecond: limitBytes,
  timeoutSeconds: 3,
  margin: 3,
  minSegmentBytes: 0,
  ...over,
});

const summary = (size: number) => {
  const { segments, ...plan } = segmentPlan(size, choosePieceLength(size));
  return { count: segments.length, last: segments[segments.length - 1], ...plan };
};

describe('segmentPlan at the stated model (75 MB/s, 900 s, 3x margin, 100 at once)', () => {
  test('limits a segment to 75 MB/s × 900 s / 3 = 22.5 GB, rounded down to whole 16 MiB pieces', () => {
    expect(summary(TiB).segmentLimitBytes).toBe(1341 * PL16M);
    expect(1341 * PL16M).toBeLessThanOrEqual(22.5e9);
    expect(1342 * PL16M).toBeGreaterThan(22.5e9);
  });

  test('hashes 100 GiB as 5 segments of 20 GiB, all at once, in about 286 s', () => {
    expect(summary(100 * GiB)).toEqual({
      count: 5,
      last: { index: 4, start: 80 * GiB, end: 100 * GiB },
      segmentLimitBytes: 1341 * PL16M,
      segmentBytes: 20 * GiB,
      concurrency: 5,
      waves: 1,
      segmentSeconds: (20 * GiB) / 75e6,
      expectedWallSeconds: (20 * GiB) / 75e6,
      gbSeconds: ((100 * GiB) / 75e6) * (3538 / 1024),
    });
    expect(Math.round(summary(100 * GiB).expectedWallSeconds)).toBe(286);
  });

  test('hashes 1 TiB as 49 segments of 1338 pieces, all at once, in about 299 s (under 900 / 3)', () => {
    const s = summary(TiB);
    expect({ count: s.count, segmentBytes: s.segmentBytes, concurrency: s.concurrency, waves: s.waves, wall: Math.round(s.expectedWallSeconds) }).toEqual({
      count: 49,
      segmentBytes: 1338 * PL16M,
      concurrency: 49,
      waves: 1,
      wall: 299,
    });
    expect(s.last).toEqual({ index: 48, start: 48 * 1338 * PL16M, end: TiB });
  });

  test('hashes 5 TiB (S3 largest object) as 300 segments in 3 waves of 100, in about 733 s', () => {
    const s = summary(5 * TiB);
    expect({ count: s.count, segmentBytes: s.segmentBytes, concurrency: s.concurrency, waves: s.waves, wall: Math.round(s.expectedWallSeconds) }).toEqual({
      count: 300,
      segmentBytes: 1093 * PL16M,
      concurrency: 100,
      waves: 3,
      wall: 733,
    });
    // The fewest segments the timeout allows would be 245 in 3 waves of up to 300 s each (900 s).
    expect(Math.ceil((5 * TiB) / s.segmentLimitBytes)).toBe(245);
    expect(Math.round(s.gbSeconds)).toBe(Math.round(((5 * TiB) / 75e6) * (3538 / 1024)));
  });
});

describe('segmentPlan edge cases', () => {
  test('plans exactly one segment for an object that fits within the limit', () => {
    const size = 3 * 16 * KiB;
    expect(segmentPlan(size, 16 * KiB, tiny(3 * 16 * KiB)).segments).toEqual([{ index: 0, start: 0, end: size }]);
  });

  test('keeps segments at minSegmentBytes or longer when spreading them over the waves', () => {
    // As below, 12 pieces at most 4 per segment, 2 at once, but no segment under 4 pieces: 3 segments of 4.
    const plan = segmentPlan(12 * 16 * KiB, 16 * KiB, tiny(4 * 16 * KiB, { maxConcurrency: 2, minSegmentBytes: 4 * 16 * KiB }));
    expect({ count: plan.segments.length, bytes: plan.segmentBytes, waves: plan.waves }).toEqual({ count: 3, bytes: 4 * 16 * KiB, waves: 2 });
  });

  test('spreads pieces evenly and leaves the remainder to a short last segment', () => {
    // 10 pieces, at most 4 per segment: 3 segments of 4, 4 and 2 pieces.
    expect(segmentPlan(10 * 16 * KiB, 16 * KiB, tiny(4 * 16 * KiB)).segments).toEqual([
      { index: 0, start: 0, end: 4 * 16 * KiB },
      { index: 1, start: 4 * 16 * KiB, end: 8 * 16 * KiB },
      { index: 2, start: 8 * 16 * KiB, end: 10 * 16 * KiB },
    ]);
  });

  test('ends the last segment at the size when the piece length does not divide it', () => {
    const size = 5 * 16 * KiB + 123;
    expect(segmentPlan(size, 16 * KiB, tiny(2 * 16 * KiB)).segments).toEqual([
      { index: 0, start: 0, end: 2 * 16 * KiB },
      { index: 1, start: 2 * 16 * KiB, end: 4 * 16 * KiB },
      { index: 2, start: 4 * 16 * KiB, end: size },
    ]);
  });

  test('rounds the limit down to whole pieces', () => {
    expect(segmentPlan(10 * 16 * KiB, 16 * KiB, tiny(3 * 16 * KiB - 1)).segmentLimitBytes).toBe(2 * 16 * KiB);
  });

  test('uses every slot of the waves the timeout forces, so no wave is longer than the work needs', () => {
    // 12 pieces, at most 4 per segment, 2 at once: 3 segments would need 2 waves of 4 pieces; 4 segments of 3 do it in 2 waves of 3.
    const plan = segmentPlan(12 * 16 * KiB, 16 * KiB, tiny(4 * 16 * KiB, { maxConcurrency: 2 }));
    expect({ count: plan.segments.length, bytes: plan.segmentBytes, concurrency: plan.concurrency, waves: plan.waves }).toEqual({
      count: 4,
      bytes: 3 * 16 * KiB,
      concurrency: 2,
      waves: 2,
    });
  });

  test.each<[string, number, number, FanoutModel, RegExp]>([
    ['a model in which one piece cannot finish within the margin', GiB, PL16M, tiny(PL16M - 1), /one piece/],
    ['a lower bound above the timeout limit', GiB, 16 * KiB, tiny(32 * KiB, { minSegmentBytes: 64 * KiB }), /minSegmentBytes/],
    ['more segments than one execution input holds', (MAX_SEGMENTS + 1) * 16 * KiB, 16 * KiB, tiny(16 * KiB), /more than one execution/],
    ['an empty object', 0, 16 * KiB, FANOUT_MODEL, /invalid size/],
  ])('refuses %s', (_label, size, pieceLength, model, message) => {
    expect(() => segmentPlan(size, pieceLength, model)).toThrow(message);
  });

  test('covers [0, size) with contiguous whole-piece segments within the limit, only the last shorter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 * 16 * KiB }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 50 }),
        (size, limitPieces, maxConcurrency) => {
          const pl = 16 * KiB;
          fc.pre(Math.ceil(size / pl / limitPieces) <= MAX_SEGMENTS);
          const plan = segmentPlan(size, pl, tiny(limitPieces * pl, { maxConcurrency }));
          const { segments } = plan;
          expect(segments[0].start).toBe(0);
          expect(segments[segments.length - 1].end).toBe(size);
          segments.forEach((s, i) => {
            expect(s.index).toBe(i);
            expect(s.end - s.start).toBeLessThanOrEqual(plan.segmentLimitBytes);
            if (i > 0) expect(s.start).toBe(segments[i - 1].end);
            if (i < segments.length - 1) expect(s.end - s.start).toBe(plan.segmentBytes);
          });
          expect(plan.concurrency).toBeLessThanOrEqual(maxConcurrency);
          expect(plan.waves).toBe(Math.ceil(segments.length / plan.concurrency));
          // Never more waves than the fewest segments the timeout allows would take.
          const fewest = Math.ceil(Math.ceil(size / pl) / limitPieces);
          expect(plan.waves).toBe(Math.ceil(fewest / Math.min(maxConcurrency, fewest)));
        },
      ),
    );
  });
});
