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
 * The store answered a pinned read with another version's bytes: a store that
 * ignores If-Match (s3rver does) must not mix two versions into one torrent
 * either. Shaped like S3's own 412, so it is classified and answered alike.
 */
export class ObjectChangedError extends Error {
  readonly $metadata = { httpStatusCode: 412 };
  constructor(key: string, expected: string, got: string) {
    super(`${key}: asked for ${expected}, the store answered ${got}`);
    this.name = 'PreconditionFailed';
  }
}

/** What a ranged answer says it is, against what the read was pinned to (only what the answer carries can be compared). */
const pinProblem = (range: RangeRead, answer: { ETag?: string; VersionId?: string }): [string, string] | undefined => {
  if (range.versionId && answer.VersionId !== undefined && answer.VersionId !== range.versionId)
    return [`version ${range.versionId}`, `version ${answer.VersionId}`];
  if (range.etag && answer.ETag !== undefined && answer.ETag !== range.etag) return [`ETag ${range.etag}`, `ETag ${answer.ETag}`];
  return undefined;
};

/**
 * A streamed ranged GetObject. Pinning to the version/ETag means a body that
 * changes mid-build fails with 412 (S3's, or ours when the answer's ETag or
 * VersionId is not the pinned one) instead of mixing two versions' bytes.
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
  // The answer's own ETag/VersionId against the pin, before a byte is used.
  const problem = pinProblem(range, out);
  if (problem) {
    (out.Body as Readable | undefined)?.destroy?.();
    throw new ObjectChangedError(ref.key, ...problem);
  }
  return out.Body as Readable;
};
