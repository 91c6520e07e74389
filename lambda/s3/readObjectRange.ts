import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { objectParams, type ObjectRef } from './objectParams';

export interface RangeRead {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
  /** Pin the read to the version that was measured: VersionId where the bucket versions, else If-Match on the ETag. */
  versionId?: string;
  etag?: string;
}

/** The store answered a ranged read with other bytes than asked (ignored Range, wrong offset). */
export class RangeMismatchError extends Error {
  constructor(asked: string, got: string) {
    super(`asked for ${asked}, got ${got}`);
    this.name = 'RangeMismatchError';
  }
}

/**
 * A streamed ranged GetObject. Pinning to the version/ETag means a body that
 * changes mid-build fails with 412 instead of mixing two versions' bytes.
 */
export const readObjectRange = async (client: S3Client, ref: ObjectRef, range: RangeRead, abortSignal?: AbortSignal): Promise<Readable> => {
  const out = await client.send(
    new GetObjectCommand({
      ...objectParams(ref),
      Range: `bytes=${range.start}-${range.end}`,
      ...(range.versionId ? { VersionId: range.versionId } : range.etag ? { IfMatch: range.etag } : {}),
    }),
    { abortSignal },
  );
  // Hash only the bytes asked for: a store (or proxy) that ignores Range answers 200 with the whole
  // object, and hashing that as this part would make a torrent that never verifies.
  const asked = `bytes ${range.start}-${range.end}/`;
  const status = out.$metadata.httpStatusCode;
  const exactWhole = status === 200 && range.start === 0 && out.ContentLength === range.end + 1;
  if (!exactWhole && !(status === 206 && out.ContentRange?.startsWith(asked))) {
    (out.Body as Readable | undefined)?.destroy?.();
    throw new RangeMismatchError(asked, `${status} ${out.ContentRange ?? 'without Content-Range'}`);
  }
  return out.Body as Readable;
};
