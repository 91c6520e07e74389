import { FANOUT_MODEL, MAX_SEGMENTS, type FanoutModel } from './fanoutModel';

/** One unit of fan-out work: the piece-aligned bytes [start, end) of the source, and its place in the join. */
export interface PlannedSegment {
  index: number;
  start: number;
  end: number;
}

/** How one build fans out, and what it is expected to cost. */
export interface SegmentPlan {
  segments: PlannedSegment[];
  /** The longest segment the model allows: throughput × timeout / margin, rounded down to whole pieces. */
  segmentLimitBytes: number;
  /** The longest planned segment (every one but possibly the last). */
  segmentBytes: number;
  /** Segments hashed at once. */
  concurrency: number;
  /** Rounds of `concurrency` segments one after the other. */
  waves: number;
  /** The longest segment's hashing time at the model's throughput. */
  segmentSeconds: number;
  /** waves × segmentSeconds: the build's hashing time, without start-up and join. */
  expectedWallSeconds: number;
  /** Billed Lambda compute of all segments together (size / throughput × memory), GB-s. */
  gbSeconds: number;
}

/**
 * Splits `size` bytes into piece-aligned segments that each finish within
 * the segment function's timeout with the model's margin, as evenly as the
 * pieces allow. When more segments are needed than may run at once, the
 * work is spread over every slot of the waves it takes, so each wave is as
 * short as the total allows. Segments are never shorter than
 * `minSegmentBytes`, so an object up to that size is one segment.
 *
 * Throws RangeError for a model that contradicts itself (not one piece
 * within the margin, a lower bound above the upper one) or a plan that
 * would not fit one execution's input.
 *
 * @example
 * segmentPlan(100 * 2 ** 30, 2 ** 24).segments.length // 5 segments of 20 GiB, ~286 s each, all at once
 */
export const segmentPlan = (size: number, pieceLength: number, model: FanoutModel = FANOUT_MODEL): SegmentPlan => {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`invalid size ${size}`);
  if (!Number.isSafeInteger(pieceLength) || pieceLength < 1) throw new RangeError(`invalid piece length ${pieceLength}`);
  if (!(model.maxConcurrency >= 1)) throw new RangeError('maxConcurrency must be at least 1');
  const pieces = Math.ceil(size / pieceLength);
  const limitPieces = Math.floor((model.bytesPerSecond * model.timeoutSeconds) / model.margin / pieceLength);
  if (limitPieces < 1)
    throw new RangeError(`one piece of ${pieceLength} bytes does not hash within ${model.timeoutSeconds} s / ${model.margin} at the model's throughput`);
  const minPieces = Math.max(1, Math.ceil(model.minSegmentBytes / pieceLength));
  if (minPieces > limitPieces) throw new RangeError(`minSegmentBytes ${model.minSegmentBytes} is above the longest segment the timeout allows`);

  const fewest = Math.ceil(pieces / limitPieces);
  const slots = Math.ceil(fewest / Math.min(fewest, model.maxConcurrency)) * Math.min(fewest, model.maxConcurrency);
  // Spread over the waves' slots, but not into segments below the lower bound (unless the timeout needs them).
  const wanted = Math.min(slots, Math.max(fewest, Math.floor(pieces / minPieces)));
  const segmentPieces = Math.ceil(pieces / wanted);
  const segmentBytes = Math.min(size, segmentPieces * pieceLength);
  const count = Math.ceil(pieces / segmentPieces);
  if (count > MAX_SEGMENTS) throw new RangeError(`${count} segments are more than one execution's input holds (${MAX_SEGMENTS})`);

  const segments: PlannedSegment[] = [];
  for (let index = 0; index < count; index++) {
    const start = index * segmentBytes;
    segments.push({ index, start, end: Math.min(size, start + segmentBytes) });
  }
  const concurrency = Math.min(count, model.maxConcurrency);
  const waves = Math.ceil(count / concurrency);
  const segmentSeconds = segmentBytes / model.bytesPerSecond;
  return {
    segments,
    segmentLimitBytes: limitPieces * pieceLength,
    segmentBytes,
    concurrency,
    waves,
    segmentSeconds,
    expectedWallSeconds: waves * segmentSeconds,
    gbSeconds: (size / model.bytesPerSecond) * (model.memoryMb / 1024),
  };
};
