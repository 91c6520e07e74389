import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { Config } from '../lambda/config';
import { generateInfo, planParts } from '../lambda/hashing/hashObject';
import type { ObjectHead } from '../lambda/s3/headObject';
import { objectParams, type ObjectRef } from '../lambda/s3/objectParams';
import { streamObjectRange } from '../lambda/s3/streamObjectRange';
import { choosePieceLength } from '../lambda/metainfo/choosePieceLength';
import { since } from './stats';

/**
 * The generator's read pattern without the hashing: the same piece-aligned
 * ranged parts (planParts), `concurrency` in flight, through the same
 * streamObjectRange, each chunk only counted. Returns elapsed ms.
 */
export const drainRanged = async (client: S3Client, ref: ObjectRef, head: ObjectHead, config: Config): Promise<number> => {
  const parts = planParts(head.size, choosePieceLength(head.size), config.readPartBytes);
  let next = 0;
  let total = 0;
  const t0 = performance.now();
  const reader = async () => {
    while (next < parts.length) {
      const [start, end] = parts[next++];
      for await (const chunk of streamObjectRange(client, ref, { start, end, etag: head.etag, versionId: head.versionId })) total += chunk.length;
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.readConcurrency, parts.length) }, reader));
  const ms = since(t0);
  if (total !== head.size) throw new Error(`drained ${total} of ${head.size} bytes`);
  return ms;
};

/** One whole-object GetObject, streamed and counted. Returns elapsed ms. */
export const drainSingle = async (client: S3Client, ref: ObjectRef, head: ObjectHead): Promise<number> => {
  const t0 = performance.now();
  const out = await client.send(new GetObjectCommand(objectParams(ref)));
  let total = 0;
  for await (const chunk of out.Body as Readable) total += (chunk as Buffer).length;
  const ms = since(t0);
  if (total !== head.size) throw new Error(`drained ${total} of ${head.size} bytes`);
  return ms;
};

/** The Lambda's generator (generateInfo) with the deployment's defaults. Returns elapsed ms and the info dictionary. */
export const runGenerator = async (client: S3Client, ref: ObjectRef, head: ObjectHead, config: Config, name: string): Promise<{ ms: number; info: Buffer }> => {
  const t0 = performance.now();
  const info = await generateInfo(client, ref, head, {
    pieceLength: choosePieceLength(head.size),
    name,
    concurrency: config.readConcurrency,
    partBytes: config.readPartBytes,
    segmentBytes: config.segmentBytes,
  });
  return { ms: since(t0), info };
};
