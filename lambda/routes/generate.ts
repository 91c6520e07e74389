import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError } from '../http/HttpError';
import { headOfEvent, type GenerateEvent, type GenerateFolderEvent } from '../jobs/lambdaJobs';
import { FANOUT_ACTIONS } from '../fanout/fanoutEvents';
import { folderSource, objectSource } from '../fanout/fanoutSource';
import type { AppLogger } from '../observability/logger';
import { choosePieceLength } from '../metainfo/choosePieceLength';
import { infoHashOfInfo } from '../metainfo/infoHash';
import type { FolderManifest } from '../policy/folderManifest';
import { objectKeyProblem } from '../policy/objectKeyProblem';
import { servedObject, type ServedObject } from '../policy/servedObject';
import type { Services } from '../services';
import { torrentIdentity } from '../torrents/torrentIdentity';
import { isObjectCreatedEvent, objectCreated } from './objectCreated';

const invalid = (why: string) => new HttpError(400, 'InvalidEvent', why);

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The event's object, if the policy serves it (the event names it, the policy decides). */
const targetOf = (s: Services, e: { bucket?: unknown; key?: unknown }): ServedObject => {
  if (typeof e.bucket !== 'string' || typeof e.key !== 'string' || objectKeyProblem(e.key)) throw invalid('bucket and key are required');
  try {
    return servedObject(s.config.buckets, e.bucket, e.key);
  } catch {
    throw invalid('bucket or key not served');
  }
};

/** Builds and caches exactly the version the event was started for, writing progress markers as it goes. */
const generate = async (s: Services, e: Partial<GenerateEvent>, log: AppLogger) => {
  const target = targetOf(s, e);
  if (!isCount(e.size) || e.size === 0 || typeof e.etag !== 'string') throw invalid('size and etag are required');
  const head = headOfEvent(e as GenerateEvent);
  const id = torrentIdentity(target.bucket, target.key, head, target.policy.swarm === 'private');
  const markers = s.lambdaJobs?.markers(id, id.size, log);
  try {
    // An async event may arrive twice: a build the cache holds is not started again.
    const hit = await s.builds.cached(id, log);
    // More than one segment by the plan: the state machine builds it and this function returns now.
    const handed = !hit && (await s.fanout?.handOff?.(objectSource(target, head), id.pieceLength, id, log));
    if (handed) return { handedOff: handed };
    const info = hit ?? (await s.builds.join(target, head, id, log, markers?.onProgress).promise);
    await markers?.finished('done');
    log.info('background build done', { bucket: target.bucket, key: target.key, bytes: head.size });
    return { infoHash: infoHashOfInfo(info) };
  } catch (err) {
    await markers?.finished('failed', err instanceof HttpError ? err.code : 'InternalError');
    throw err;
  }
};

const DIGEST = /^[0-9a-f]{64}$/;

/** The event's folder (a served prefix ending in `/`) and its manifest, read from the cache by digest and checked against it. */
const folderOf = async (
  s: Services,
  e: { bucket?: unknown; prefix?: unknown; manifest?: unknown },
  log: AppLogger,
): Promise<[ServedObject, FolderManifest]> => {
  if (typeof e.prefix !== 'string' || !e.prefix.endsWith('/')) throw invalid('prefix (ending in "/") is required');
  if (typeof e.manifest !== 'string' || !DIGEST.test(e.manifest)) throw invalid('manifest must be the sha256 hex digest of a folder manifest');
  const target = targetOf(s, { bucket: e.bucket, key: e.prefix });
  const m = await s.folders.storedManifest(target.bucket, target.key, e.manifest, log);
  if (!m) throw invalid('the manifest is not in the cache');
  return [target, m];
};

/** Builds and caches exactly the folder snapshot the event names (its cached manifest), writing progress markers as it goes. */
const generateFolder = async (s: Services, e: Partial<GenerateFolderEvent>, log: AppLogger) => {
  if (!isCount(e.size) || e.size === 0 || !isCount(e.files)) throw invalid('files and size are required');
  const [target, m] = await folderOf(s, e, log);
  if (m.totalSize !== e.size || m.files.length !== e.files) throw invalid('files and size do not match the manifest');
  const id = s.folders.snapshotId(target, m);
  const markers = s.lambdaJobs?.markers(id, m.totalSize, log);
  try {
    // As for objects; buildSnapshot answers a cached snapshot without building it.
    const handed = !(await s.folders.cached(id, m, log)) && (await s.fanout?.handOff?.(folderSource(target, m), choosePieceLength(m.totalSize), id, log));
    if (handed) return { handedOff: handed };
    const { info } = await s.folders.buildSnapshot(target, m, log, markers?.onProgress);
    await markers?.finished('done');
    log.info('background build done', { bucket: target.bucket, prefix: target.key, files: m.files.length, bytes: m.totalSize });
    return { infoHash: infoHashOfInfo(info) };
  } catch (err) {
    await markers?.finished('failed', err instanceof HttpError ? err.code : 'InternalError');
    throw err;
  }
};

/** The fan-out's steps, each handing the raw event to its handler (which parses it). */
const fanoutStep = (s: Services, action: string) => {
  const h = s.fanout?.handlers;
  if (!h) throw invalid('this deployment has no cache bucket for fan-out segments');
  if (action === FANOUT_ACTIONS.segment) return h.segment;
  if (action === FANOUT_ACTIONS.join) return h.join;
  return h.failed;
};

const FANOUT_STEPS: readonly string[] = Object.values(FANOUT_ACTIONS);

/**
 * The generate function: invoked by our own functions (never by API
 * Gateway) for background builds (objects, folders), by the build state
 * machine for the fan-out's segments, join and failed step, and by the
 * pre-build rules' S3 Object Created events.
 */
export const generateRoute = (s: Services) =>
  middy<unknown, unknown, Error, Context>().handler(async (event, context) => {
    // S3's "Object Created" events from the pre-build rules (infra/stack/constructs/PreBuild.ts).
    if (isObjectCreatedEvent(event)) {
      return objectCreated(s, event, s.logger.createChild({ persistentKeys: { requestId: context.awsRequestId, route: 'objectCreated' } }));
    }
    const e = (event ?? {}) as { action?: unknown };
    const log = s.logger.createChild({
      persistentKeys: { requestId: context.awsRequestId, route: 'generate', action: typeof e.action === 'string' ? e.action : undefined },
    });
    if (e.action === 'generate') return generate(s, e as Partial<GenerateEvent>, log);
    if (e.action === 'generateFolder') return generateFolder(s, e as Partial<GenerateFolderEvent>, log);
    if (typeof e.action === 'string' && FANOUT_STEPS.includes(e.action)) return fanoutStep(s, e.action)(event, log);
    throw invalid('unknown action');
  });
