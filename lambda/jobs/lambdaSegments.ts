import type { LambdaClient } from '@aws-sdk/client-lambda';
import { invokeJson } from '../aws/lambdaClient';
import type { FolderManifest } from '../policy/folderManifest';
import type { ServedObject } from '../policy/servedObject';
import type { ObjectHead } from '../s3/headObject';
import type { Segment, SegmentRunner } from '../torrents/generateInfo';

/** `{ action: 'hashSegment' }`: the piece digests of one segment of a very large object (fan-out). */
export interface HashSegmentEvent {
  action: 'hashSegment';
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  size: number;
  pieceLength: number;
  segment: Segment;
}

/**
 * `{ action: 'hashFolderSegment' }`: the piece digests of one segment of a
 * very large folder's concatenated files. The files are those of the cached
 * manifest `manifest` (its digest); the segment may start and end inside files.
 */
export interface HashFolderSegmentEvent {
  action: 'hashFolderSegment';
  bucket: string;
  /** The folder, ending in `/`. */
  prefix: string;
  /** sha256 hex of the manifest (FolderManifest.digest), cached beside the folder's torrent. */
  manifest: string;
  pieceLength: number;
  segment: Segment;
}

/** What a segment invocation answers: the segment's 20-byte digests, base64. */
export interface HashSegmentResult {
  pieces: string;
}

/**
 * Fan-out in AWS: each segment of a very large object is hashed by a
 * synchronous (RequestResponse) invocation of the generate function.
 */
export const lambdaSegmentRunner =
  (lambda: LambdaClient, functionName: string) =>
  (target: ServedObject, head: ObjectHead, pieceLength: number): SegmentRunner =>
  async (segment) => {
    const event: HashSegmentEvent = {
      action: 'hashSegment',
      bucket: target.bucket,
      key: target.key,
      versionId: head.versionId,
      etag: head.etag,
      size: head.size,
      pieceLength,
      segment,
    };
    const out = (await invokeJson(lambda, functionName, 'RequestResponse', event)) as HashSegmentResult;
    return Buffer.from(out.pieces, 'base64');
  };

/** The same for a folder: one RequestResponse invocation per segment, naming the cached manifest rather than carrying it. */
export const lambdaFolderSegmentRunner =
  (lambda: LambdaClient, functionName: string) =>
  (target: ServedObject, manifest: FolderManifest, pieceLength: number): SegmentRunner =>
  async (segment) => {
    const event: HashFolderSegmentEvent = {
      action: 'hashFolderSegment',
      bucket: target.bucket,
      prefix: target.key,
      manifest: manifest.digest,
      pieceLength,
      segment,
    };
    const out = (await invokeJson(lambda, functionName, 'RequestResponse', event)) as HashSegmentResult;
    return Buffer.from(out.pieces, 'base64');
  };
