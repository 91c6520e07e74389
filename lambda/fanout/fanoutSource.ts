import type { FolderManifest } from '../policy/folderManifest';
import type { ServedObject } from '../policy/servedObject';
import type { ObjectHead } from '../s3/headObject';
import type { FolderSource, ObjectSource } from './fanoutEvents';

/** An object version as a fan-out build names it: exactly the head measured when the build started. */
export const objectSource = (target: ServedObject, head: ObjectHead): ObjectSource => ({
  kind: 'object',
  bucket: target.bucket,
  key: target.key,
  versionId: head.versionId,
  etag: head.etag,
  size: head.size,
  lastModified: head.lastModified?.getTime(),
});

/** A folder snapshot as a fan-out build names it: its manifest (cached beside its torrent) by digest. */
export const folderSource = (target: ServedObject, manifest: FolderManifest): FolderSource => ({
  kind: 'folder',
  bucket: target.bucket,
  prefix: target.key,
  manifest: manifest.digest,
  size: manifest.totalSize,
});
