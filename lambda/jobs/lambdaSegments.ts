import type { LambdaClient } from '@aws-sdk/client-lambda';
import { invokeJson } from '../aws/lambdaClient';
import type { ObjectHead } from '../s3/headObject';
import type { Segment, SegmentRunner } from '../torrents/generateInfo';
import type { ServedObject } from '../policy/servedObject';

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

/** What a hashSegment invocation answers: the segment's 20-byte digests, base64. */
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
