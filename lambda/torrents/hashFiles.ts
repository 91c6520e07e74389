import type { S3Client } from '@aws-sdk/client-s3';
import { setMaxListeners } from 'node:events';
import type { HashPool } from '../hashing/hashPool';
import { PieceBuffers, piecesPerBatch } from '../hashing/pieceBuffers';
import { PieceHasher } from '../hashing/PieceHasher';
import type { ObjectRef } from '../s3/objectParams';
import { pipeObjectRange, type ChunkSink, type StreamRangeOptions } from '../s3/streamObjectRange';

/** A piece-aligned byte range [start, end) of the bytes hashed (one object, or a folder's files concatenated). */
export interface Segment {
  start: number;
  end: number;
}

/**
 * One object of the bytes hashed, pinned: read only at `versionId` where the
 * bucket versions, else only while its ETag is `etag` (If-Match). A single
 * object is a list of one; a folder lists its files in manifest order.
 */
export interface HashedFile {
  ref: ObjectRef;
  size: number;
  etag: string;
  versionId?: string;
}

/** The bytes [start, end] (inclusive) of `files[file]`. */
export interface Slice {
  file: number;
  start: number;
  end: number;
}

/** A piece-aligned part of the concatenation ([start, end] inclusive) and the file slices it is made of, in order. */
export interface Part {
  start: number;
  end: number;
  slices: Slice[];
}

export interface HashFilesOptions {
  pieceLength: number;
  /** Parts hashed at once (readers). */
  concurrency: number;
  /** Target bytes per part; rounded up to whole pieces. */
  partBytes: number;
  pool: HashPool;
  /** Small-slice reads each reader keeps in flight ahead of its hasher (default SMALL_READS_AHEAD). */
  readsAhead?: number;
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
  attempts?: number;
  backoffMs?: number;
  /** Where resumed reads are reported (the request's logger). */
  log?: StreamRangeOptions['log'];
}

/** Most memory piece buffers may take, unless one slot per reader needs more. */
export const PIECE_BUFFER_BUDGET = 96 * 1024 * 1024;

/**
 * GetObjects a reader keeps in flight ahead of the slice it is hashing, when
 * the slices are small (a folder of small files): 1,000 files must not be
 * 1,000 round trips one after another. Bytes read ahead stay within one part.
 */
export const SMALL_READS_AHEAD = 8;

/** How many slots (of `slotLength` bytes) a build gets: enough to keep every reader and worker busy, within the budget. */
export const pieceBufferCount = (slotLength: number, readers: number, workers: number): number =>
  Math.max(readers + 1, Math.min(readers + 2 * workers, Math.floor(PIECE_BUFFER_BUDGET / slotLength)));

/** [start, end] inclusive byte ranges covering `size`, each a whole number of pieces. */
export const planParts = (size: number, pieceLength: number, partBytes: number): Array<[number, number]> => {
  const partLength = Math.max(1, Math.ceil(partBytes / pieceLength)) * pieceLength;
  const parts: Array<[number, number]> = [];
  for (let start = 0; start < size; start += partLength) parts.push([start, Math.min(size, start + partLength) - 1]);
  return parts;
};

/**
 * The parts of `segment` of the files' concatenation, each cut into the file
 * slices it covers: a part may span many files and a file many parts;
 * zero-length files give no slice.
 *
 * @example
 * planFileParts([3, 0, 5], { start: 0, end: 8 }, 4, 4)
 * // [{ start: 0, end: 3, slices: [{ file: 0, start: 0, end: 2 }, { file: 2, start: 0, end: 0 }] },
 * //  { start: 4, end: 7, slices: [{ file: 2, start: 1, end: 4 }] }]
 */
export const planFileParts = (sizes: readonly number[], segment: Segment, pieceLength: number, partBytes: number): Part[] => {
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += size;
  }
  if (segment.start < 0 || segment.end > total || segment.start > segment.end || segment.start % pieceLength !== 0) {
    throw new RangeError(`segment [${segment.start}, ${segment.end}) is not piece-aligned inside ${total} bytes`);
  }
  // The file holding byte `at`: the last one starting at or before it (empty files before it are skipped below).
  let file = 0;
  const seek = (at: number) => {
    let lo = 0;
    let hi = sizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const parts: Part[] = [];
  for (const [a, b] of planParts(segment.end - segment.start, pieceLength, partBytes)) {
    const start = a + segment.start;
    const end = b + segment.start;
    if (parts.length === 0) file = seek(start);
    const slices: Slice[] = [];
    for (let at = start; at <= end; file++) {
      if (sizes[file] === 0 || offsets[file] + sizes[file] <= at) continue;
      const from = at - offsets[file];
      const to = Math.min(sizes[file] - 1, end - offsets[file]);
      slices.push({ file, start: from, end: to });
      at = offsets[file] + to + 1;
      if (to < sizes[file] - 1) break; // this file goes on in the next part
    }
    parts.push({ start, end, slices });
  }
  return parts;
};

/**
 * SHA-1 pieces of the bytes [segment.start, segment.end) of `files`
 * concatenated in order (BEP 3: pieces run across file boundaries): the
 * segment's piece-aligned parts hashed `concurrency` at a time, each reader
 * streaming its part's slices in order into one hash stream on the shared
 * worker pool and piece buffers, digests joined in part order. Small slices
 * are read ahead (SMALL_READS_AHEAD GetObjects, at most one part's bytes).
 * Every read is pinned and resumable; any part not read in full fails the
 * whole call, so nothing partial is ever returned.
 */
export const hashFiles = async (client: S3Client, files: readonly HashedFile[], segment: Segment, o: HashFilesOptions): Promise<Buffer> => {
  const parts = planFileParts(
    files.map((f) => f.size),
    segment,
    o.pieceLength,
    o.partBytes,
  );
  if (parts.length === 0) return Buffer.alloc(0);
  const readers = Math.min(o.concurrency, parts.length);
  const largestPart = parts.reduce((m, p) => Math.max(m, p.end - p.start + 1), 0);
  // Batches of ~2 MiB of pieces per worker message, but never more than one part holds.
  const batch = Math.min(piecesPerBatch(o.pieceLength), Math.ceil(largestPart / o.pieceLength));
  const buffers = new PieceBuffers(o.pieceLength, pieceBufferCount(o.pieceLength * batch, readers, o.pool.size), batch);
  const results: Buffer[] = new Array(parts.length);
  let done = 0;
  let next = 0;
  let failed: unknown;
  const abort = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, abort.signal]) : abort.signal;
  const ahead = { reads: Math.max(0, o.readsAhead ?? SMALL_READS_AHEAD), bytes: largestPart };
  // Every read in flight (and every retry's backoff) listens to it: more than the default warning's 10.
  setMaxListeners(2 * readers * (ahead.reads + 1) + 10, signal);
  const read: ReadSlice = (slice, sink) => {
    const f = files[slice.file];
    return pipeObjectRange(client, f.ref, { start: slice.start, end: slice.end, versionId: f.versionId, etag: f.etag }, sink, {
      signal,
      attempts: o.attempts,
      backoffMs: o.backoffMs,
      log: o.log,
    });
  };
  const onProgress = o.onProgress;

  const reader = async () => {
    while (failed === undefined && next < parts.length) {
      const index = next++;
      const part = parts[index];
      const hasher = new PieceHasher(o.pool, buffers);
      // The socket's chunks go straight into the piece slots: nothing awaited per chunk unless every slot is in flight.
      const sink: ChunkSink = onProgress
        ? (chunk) => {
            const wait = hasher.write(chunk);
            const report = () => {
              done += chunk.length;
              onProgress(done);
            };
            if (!wait) return report();
            return wait.then(report);
          }
        : (chunk) => hasher.write(chunk);
      try {
        await partBytes(part.slices, read, ahead, sink);
        const pieces = await hasher.end();
        if (hasher.length !== part.end - part.start + 1) throw new Error(`part ${index} read ${hasher.length} of ${part.end - part.start + 1} bytes`);
        results[index] = pieces;
      } catch (err) {
        hasher.abandon();
        failed ??= err;
        abort.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: readers }, reader));
  if (failed !== undefined) throw failed;
  return Buffer.concat(results);
};

/** Reads one slice's bytes into `sink`, in order (pinned and resumable: pipeObjectRange). */
type ReadSlice = (slice: Slice, sink: ChunkSink) => Promise<void>;

const length = (s: Slice) => s.end - s.start + 1;

/** A slice read whole into memory (its chunks, not concatenated), checked for length. */
const buffered = async (slice: Slice, read: ReadSlice): Promise<Uint8Array[]> => {
  const chunks: Uint8Array[] = [];
  let got = 0;
  await read(slice, (chunk) => {
    chunks.push(chunk);
    got += chunk.length;
  });
  if (got !== length(slice)) throw new Error(`file ${slice.file}: read ${got} of ${length(slice)} bytes`);
  return chunks;
};

/**
 * A part's bytes into `sink`, in order: each slice streamed as it arrives,
 * and while one is hashed, the small slices right after it already being
 * read whole (up to `ahead.reads` GetObjects and `ahead.bytes` bytes). A
 * slice too large to be "small" (over `ahead.bytes / ahead.reads`) is
 * streamed, never buffered.
 */
const partBytes = async (slices: readonly Slice[], read: ReadSlice, ahead: { reads: number; bytes: number }, sink: ChunkSink): Promise<void> => {
  const small = ahead.reads > 0 ? Math.floor(ahead.bytes / ahead.reads) : 0;
  const pending: Array<Promise<Uint8Array[]>> = [];
  let aheadBytes = 0;
  let next = 0; // the first slice neither read ahead nor streamed yet
  const fill = () => {
    while (next < slices.length && pending.length < ahead.reads && length(slices[next]) <= small && aheadBytes + length(slices[next]) <= ahead.bytes) {
      const p = buffered(slices[next], read);
      p.catch(() => undefined); // awaited in order below; an early failure must not go unhandled meanwhile
      pending.push(p);
      aheadBytes += length(slices[next++]);
    }
  };
  for (let i = 0; i < slices.length; i++) {
    if (i === next) {
      // Not read ahead (the window was full, or it is large): stream it, the small ones after it read meanwhile.
      next++;
      fill();
      await read(slices[i], sink);
      continue;
    }
    const chunks = await pending.shift()!;
    aheadBytes -= length(slices[i]);
    fill();
    for (const chunk of chunks) {
      const wait = sink(chunk);
      if (wait) await wait;
    }
  }
};
