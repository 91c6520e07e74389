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
  return out.Body as Readable;
};
