import { HttpError } from '../http/HttpError';
import type { AppLogger } from '../observability/logger';
import type { FolderManifest } from '../policy/folderManifest';
import type { ServedObject } from '../policy/servedObject';
import type { TorrentCache } from '../torrents/cache/torrentCache';
import type { FanoutSource, FolderSource, ObjectSource } from './fanoutEvents';

/** A source the policy serves, with what reading it needs: the S3 parameters, and a folder's files. */
export type ServedSource = (ObjectSource & { target: ServedObject }) | (FolderSource & { target: ServedObject; files: FolderManifest });

export interface SourceDeps {
  /** The bucket policy's decision for a bucket and key (or folder prefix): `servedObject(config.buckets, …)`; throws when not served. */
  served: (bucket: string, keyOrPrefix: string) => ServedObject;
  /** The torrent cache, where a folder's manifest waits beside its torrent. */
  cache: TorrentCache;
}

/** The policy's view of the source's object (or folder prefix); 400 InvalidEvent when it is not served. */
export const servedTarget = (deps: Pick<SourceDeps, 'served'>, source: FanoutSource): ServedObject => {
  try {
    return deps.served(source.bucket, source.kind === 'object' ? source.key : source.prefix);
  } catch {
    throw new HttpError(400, 'InvalidEvent', 'bucket or key not served');
  }
};

/**
 * The event's source, if the policy serves it (the event names it, the
 * policy decides), and for a folder its manifest as cached when the build
 * started, checked against the digest and size the event carries.
 */
export const resolveSource = async (deps: SourceDeps, source: FanoutSource, log: AppLogger): Promise<ServedSource> => {
  const target = servedTarget(deps, source);
  if (source.kind === 'object') return { ...source, target };
  const stored = await deps.cache.get({ bucket: source.bucket, prefix: source.prefix, manifest: source.manifest, part: 'manifest' }, log);
  if (!stored) throw new Error(`the manifest ${source.manifest} of ${source.prefix} is not in the cache`);
  const files = JSON.parse(stored.toString('utf8')) as FolderManifest;
  if (files.digest !== source.manifest || files.totalSize !== source.size) throw new Error(`the cached manifest ${source.manifest} does not match the event`);
  return { ...source, target, files };
};
