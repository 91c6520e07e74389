import type { S3Client } from '@aws-sdk/client-s3';
import type { HashPool } from '../hashing/hashPool';
import { hashStream } from '../hashing/hashStream';
import type { AppLogger } from '../observability/logger';
import type { ObjectRef } from '../s3/objectParams';
import { streamObjectRange } from '../s3/streamObjectRange';

/** One file of a folder snapshot, as the hashing needs it. */
export interface FolderFile {
  key: string;
  size: number;
  etag: string;
}

export interface HashFolderOptions {
  pieceLength: number;
  /** Parts read ahead at once (across files). */
  concurrency: number;
  partBytes: number;
  pool: HashPool;
  log: AppLogger;
  onProgress?: (bytesDone: number) => void;
  signal?: AbortSignal;
}

/** Reads one part fully, pinned to the listed ETag (If-Match), resuming as single-object builds do. */
const readPart = async (client: S3Client, ref: ObjectRef, file: FolderFile, start: number, end: number, o: HashFolderOptions): Promise<Buffer> => {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of streamObjectRange(client, ref, { start, end, etag: file.etag }, { signal: o.signal, log: o.log })) {
    chunks.push(chunk);
    length += chunk.length;
  }
  if (length !== end - start + 1) throw new Error(`${file.key}: read ${length} of ${end - start + 1} bytes`);
  return Buffer.concat(chunks, length);
};

/**
 * The piece digests of a folder: its files' bytes concatenated in order
 * (BEP 3: pieces run across file boundaries; zero-length files add nothing),
 * read as parts `concurrency` at a time ahead of the hasher and fed to it in
 * order, so memory stays at about `concurrency × partBytes`.
 */
export const hashFolder = async (client: S3Client, base: Omit<ObjectRef, 'key'>, files: FolderFile[], o: HashFolderOptions): Promise<Buffer> => {
  const parts = files.flatMap((file) => {
    const out: Array<{ file: FolderFile; start: number; end: number }> = [];
    for (let start = 0; start < file.size; start += o.partBytes) out.push({ file, start, end: Math.min(file.size, start + o.partBytes) - 1 });
    return out;
  });
  const inFlight: Array<Promise<Buffer>> = [];
  let next = 0;
  const fill = () => {
    while (next < parts.length && inFlight.length < o.concurrency) {
      const p = parts[next++];
      const read = readPart(client, { ...base, key: p.file.key }, p.file, p.start, p.end, o);
      read.catch(() => undefined); // awaited in order below; an early failure must not go unhandled meanwhile
      inFlight.push(read);
    }
  };
  async function* ordered(): AsyncGenerator<Uint8Array> {
    fill();
    while (inFlight.length > 0) {
      const part = await inFlight.shift()!;
      fill();
      yield part;
    }
  }
  const { pieces } = await hashStream(ordered(), o.pieceLength, o.onProgress ? ({ bytes }) => o.onProgress!(bytes) : undefined, { pool: o.pool });
  return pieces;
};
