/**
 * Pre-build on upload: the torrent of exactly the object version an "Object
 * Created" event names, built and cached before anyone asks, so the first
 * downloader's GET /torrent finds it.
 *
 * The cache entry must be the one a later request computes for that
 * version (torrentIdentity: version, ETag, size, piece length, name and
 * LastModified). The event carries all of it but LastModified (its `time` is
 * when the event happened; a multipart upload's LastModified is when it was
 * initiated), and its ETag comes unquoted. So one HeadObject pinned to the
 * event's version (VersionId where the bucket is versioned, If-Match its
 * ETag) gives the head every request builds from; it also tells which
 * reading of the event's key is the object (objectCreatedEvent.ts), and that
 * the version still is what the event says (a 404 or 412 means it was deleted
 * or overwritten, and the next event covers what replaced it).
 */
import type { BucketPolicy, Config } from '../config';
import { objectSource } from '../fanout/fanoutSource';
import type { LambdaJobs } from '../jobs/lambdaJobs';
import { HttpError } from '../http/HttpError';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import { infoHashOfInfo } from '../metainfo/infoHash';
import type { AppLogger } from '../observability/logger';
import { objectKeyProblem } from '../policy/objectKeyProblem';
import { servedObject, underServedPrefix, type ServedObject } from '../policy/servedObject';
import { classifyS3Error } from '../s3/classifyS3Error';
import { headObject, type ObjectHead } from '../s3/headObject';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TorrentBuilds } from '../torrents/torrentBuilds';
import { torrentIdentity } from '../torrents/torrentIdentity';
import type { ObjectCreated } from './objectCreatedEvent';
import type { Services } from '../services';

export interface PrebuildDeps {
  config: Pick<Config, 'buckets' | 'maxGenerateBytes'>;
  s3: S3Client;
  builds: TorrentBuilds;
  /** Where builds run in the generate function: its progress markers, so requests meanwhile wait instead of starting another. */
  lambdaJobs?: LambdaJobs;
  /** Builds of more than one segment go to the build state machine, as the generate function's own builds do. */
  fanout?: Services['fanout'];
}

/** Why an event built nothing. */
export type SkipReason = 'BucketNotServed' | 'KeyNotServed' | 'NotOptedIn' | 'EmptyObject' | 'ObjectTooLarge' | 'ObjectGone';

export type PrebuildOutcome =
  | { outcome: 'built'; bucket: string; key: string; versionId?: string; size: number; infoHash: string }
  | { outcome: 'handedOff'; bucket: string; key: string; versionId?: string; size: number; segments: number }
  | { outcome: 'cached'; bucket: string; key: string; versionId?: string; size: number }
  | { outcome: 'skipped'; bucket: string; key: string; reason: SkipReason };

/** Whether the bucket opted in to pre-building `key` (a served key under one of its `prebuild.prefixes`). */
export const prebuildsKey = (policy: BucketPolicy, key: string): boolean =>
  underServedPrefix(policy, key) && (policy.prebuild?.prefixes.some((p) => key.startsWith(p)) ?? false);

/** The head of exactly the event's version at `target`, or undefined when no such version is there. */
const headOfCreated = async (s3: S3Client, target: ServedObject, created: ObjectCreated): Promise<ObjectHead | undefined> => {
  let head: ObjectHead;
  try {
    head = await headObject(s3, target.ref, undefined, { VersionId: created.versionId, IfMatch: created.etag });
  } catch (err) {
    const { kind } = classifyS3Error(err);
    if (kind === 'notFound' || kind === 'preconditionFailed') return undefined;
    throw s3ErrorToHttp(err);
  }
  // A store that ignores If-Match must not make another version pass for this one.
  return head.etag === created.etag && head.size === created.size ? head : undefined;
};

/**
 * Builds (or finds cached) the torrent of the version `created` names, if
 * the bucket serves it and opted in; otherwise says why not. No S3 call is
 * made for an object the policy does not pre-build.
 *
 * @example
 * await prebuildObject(services, parseObjectCreated(event), log) // { outcome: 'built', bucket, key, infoHash, ... }
 */
export const prebuildObject = async (deps: PrebuildDeps, created: ObjectCreated, log: AppLogger): Promise<PrebuildOutcome> => {
  const { buckets, maxGenerateBytes } = deps.config;
  const skip = (reason: SkipReason, key = created.keys[0]): PrebuildOutcome => ({ outcome: 'skipped', bucket: created.bucket, key, reason });
  const policy = buckets.get(created.bucket);
  if (!policy) return skip('BucketNotServed');
  const served = created.keys.filter((k) => objectKeyProblem(k) === undefined && underServedPrefix(policy, k));
  if (served.length === 0) return skip('KeyNotServed');
  const opted = served.filter((k) => prebuildsKey(policy, k));
  if (opted.length === 0) return skip('NotOptedIn', served[0]);
  if (created.size === 0) return skip('EmptyObject', opted[0]);
  if (created.size > maxGenerateBytes) return skip('ObjectTooLarge', opted[0]);
  for (const key of opted) {
    const target = servedObject(buckets, created.bucket, key);
    const head = await headOfCreated(deps.s3, target, created);
    if (head) return build(deps, target, head, log);
  }
  return skip('ObjectGone');
};

const build = async (deps: PrebuildDeps, target: ServedObject, head: ObjectHead, log: AppLogger): Promise<PrebuildOutcome> => {
  const id = torrentIdentity(target.bucket, target.key, head, target.policy.swarm === 'private');
  const about = { bucket: target.bucket, key: target.key, versionId: head.versionId, size: head.size };
  if (await deps.builds.cached(id, log)) return { outcome: 'cached', ...about };
  const markers = deps.lambdaJobs?.markers(id, id.size, log);
  try {
    // More than one segment by the plan: the state machine builds it (lambda/routes/generate.ts does the same).
    const handed = await deps.fanout?.handOff?.(objectSource(target, head), id.pieceLength, id, log);
    if (handed) return { outcome: 'handedOff', ...about, segments: handed.segments };
    // The marker at once: a request for this version meanwhile waits on it (202) instead of building it a second time.
    await markers?.started();
    const info = await deps.builds.join(target, head, id, log, markers?.onProgress).promise;
    await markers?.finished('done');
    return { outcome: 'built', ...about, infoHash: infoHashOfInfo(info) };
  } catch (err) {
    await markers?.finished('failed', err instanceof HttpError ? err.code : 'InternalError');
    throw err;
  }
};
