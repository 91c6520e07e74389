import { GetObjectTorrentCommand, type S3Client } from '@aws-sdk/client-s3';
import { objectParams, type ObjectRef } from './objectParams';

export interface StoreTorrent {
  body: Buffer;
  /** "requester" when S3 sent x-amz-request-charged. */
  requestCharged?: string;
}

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`GetObjectTorrent body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * GetObjectTorrent with ExpectedBucketOwner (and RequestPayer where set).
 * The body is read up to `maxBytes`: a .torrent is small, and it must be
 * checked whole before anything is passed on as a torrent.
 */
export const getStoreTorrent = async (client: S3Client, ref: ObjectRef, maxBytes: number, abortSignal?: AbortSignal): Promise<StoreTorrent> => {
  const out = await client.send(new GetObjectTorrentCommand(objectParams(ref)), { abortSignal });
  const chunks: Buffer[] = [];
  let size = 0;
  const body = out.Body as AsyncIterable<Uint8Array> | undefined;
  if (body) {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) {
        (body as unknown as { destroy?: () => void }).destroy?.();
        throw new BodyTooLargeError(maxBytes);
      }
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  }
  return { body: Buffer.concat(chunks, size), requestCharged: out.RequestCharged };
};
