import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectRef } from '../s3/objectParams';
import { hashFiles, type HashFilesOptions, type Segment } from './hashFiles';

/** One file of a folder snapshot, as the hashing needs it. */
export interface FolderFile {
  key: string;
  size: number;
  etag: string;
}

export type HashFolderOptions = HashFilesOptions & {
  /** The piece-aligned range of the concatenation to hash (default: all of it). */
  segment?: Segment;
};

/**
 * The piece digests of a folder (or of one segment of it): its files' bytes
 * concatenated in order (BEP 3: pieces run across file boundaries;
 * zero-length files add nothing), hashed by `hashFiles` exactly as a single
 * object is, each file read only while its ETag is the listed one (If-Match).
 */
export const hashFolder = (client: S3Client, base: Omit<ObjectRef, 'key'>, files: readonly FolderFile[], o: HashFolderOptions): Promise<Buffer> => {
  const total = files.reduce((n, f) => n + f.size, 0);
  return hashFiles(
    client,
    files.map((f) => ({ ref: { ...base, key: f.key }, size: f.size, etag: f.etag })),
    o.segment ?? { start: 0, end: total },
    o,
  );
};
