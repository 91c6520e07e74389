import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import { streamObjectRange } from '../s3/streamObjectRange';
import { buildInfo } from '../torrent/buildMetainfo';
import { hashPieces } from '../torrent/hashPieces';

export interface GenerateOptions {
  pieceLength: number;
  name: string;
  /** Ranged reads in flight at once. */
  concurrency: number;
  /** Target bytes per ranged read; rounded up to whole pieces. */
  partBytes: number;
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
  attempts?: number;
  backoffMs?: number;
}

/** [start, end] inclusive byte ranges covering `size`, each a whole number of pieces. */
export const planParts = (size: number, pieceLength: number, partBytes: number): Array<[number, number]> => {
  const partLength = Math.max(1, Math.ceil(partBytes / pieceLength)) * pieceLength;
  const parts: Array<[number, number]> = [];
  for (let start = 0; start < size; start += partLength) parts.push([start, Math.min(size, start + partLength) - 1]);
  return parts;
};

/**
 * Reads the whole object (pinned to the measured version) in piece-aligned
 * ranged parts, `concurrency` at a time, hashes each part's pieces and joins
 * them in order into a bencoded info dictionary. Throws if any part cannot
 * be read in full; nothing partial is ever returned.
 */
export const generateInfo = async (client: S3Client, ref: ObjectRef, head: ObjectHead, opts: GenerateOptions): Promise<Buffer> => {
  const parts = planParts(head.size, opts.pieceLength, opts.partBytes);
  const results: Buffer[] = new Array(parts.length);
  const progress = new Array<number>(parts.length).fill(0);
  let next = 0;
  let failed: unknown;
  const abort = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;

  const worker = async () => {
    while (failed === undefined && next < parts.length) {
      const index = next++;
      const [start, end] = parts[index];
      try {
        const source = streamObjectRange(client, ref, { start, end, versionId: head.versionId, etag: head.etag }, {
          signal,
          attempts: opts.attempts,
          backoffMs: opts.backoffMs,
        });
        const { pieces, length } = await hashPieces(source, opts.pieceLength, ({ bytes }) => {
          progress[index] = bytes;
          opts.onProgress?.(sum(progress));
        });
        if (length !== end - start + 1) throw new Error(`part ${index} read ${length} of ${end - start + 1} bytes`);
        results[index] = pieces;
      } catch (err) {
        failed ??= err;
        abort.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, parts.length) }, worker));
  if (failed !== undefined) throw failed;
  return buildInfo({ name: opts.name, length: head.size, pieceLength: opts.pieceLength, pieces: Buffer.concat(results) });
};

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
