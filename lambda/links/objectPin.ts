/**
 * The one object version a torrent (and so its web seed) describes:
 * VersionId where the bucket versions objects, else the ETag. Signed into
 * seed tokens, so a web seed never serves other bytes than its torrent's.
 */
export type ObjectPin = { versionId: string } | { etag: string };

/** VersionIds and ETags as stores write them: printable ASCII, bounded. */
const PRINTABLE = /^[\x21-\x7e]{1,1024}$/;

/** `v:<VersionId>` or `e:<ETag>`: the form signed into links. */
export const pinString = (pin: ObjectPin): string => ('versionId' in pin ? `v:${pin.versionId}` : `e:${pin.etag}`);

/** The pin of a `pinString`, or undefined for anything else. */
export const parsePin = (text: string): ObjectPin | undefined => {
  const value = text.slice(2);
  if (!PRINTABLE.test(value)) return undefined;
  if (text.startsWith('v:')) return { versionId: value };
  if (text.startsWith('e:')) return { etag: value };
  return undefined;
};

/** A folder torrent's snapshot: the digest of its manifest (every key, ETag and size) and the folder's prefix. */
export interface FolderPin {
  manifest: string;
  prefix: string;
}

/** `m:<sha256 hex>:<prefix>`: the form signed into a folder's seed token. */
export const folderPinString = (pin: FolderPin): string => `m:${pin.manifest}:${pin.prefix}`;

/** The folder pin of a `folderPinString`, or undefined for anything else. */
export const parseFolderPin = (text: string): FolderPin | undefined => {
  const m = /^m:([0-9a-f]{64}):(.+\/)$/s.exec(text);
  return m ? { manifest: m[1], prefix: m[2] } : undefined;
};

/** The pin of a measured object: its VersionId, else its ETag. */
export const pinOfHead = (head: { versionId?: string; etag: string }): ObjectPin => (head.versionId ? { versionId: head.versionId } : { etag: head.etag });

/** The read parameters that hold a GetObject/HeadObject to the pinned version. */
export const pinParams = (pin: ObjectPin): { VersionId?: string; IfMatch?: string } =>
  'versionId' in pin ? { VersionId: pin.versionId } : { IfMatch: pin.etag };
