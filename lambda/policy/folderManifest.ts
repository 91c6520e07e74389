/**
 * What a folder link shares: the objects under a prefix as the files of one
 * multi-file torrent, checked once here so nothing downstream re-parses keys.
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../http/HttpError';
import { objectKeyProblem } from './objectKeyProblem';

/** Bumped whenever the digest's encoding or what it covers changes. */
export const FOLDER_MANIFEST_VERSION = 1;

export interface FolderObject {
  key: string;
  size: number;
  etag: string;
  lastModified?: Date;
}

export interface FolderFile {
  key: string;
  /** The key relative to the prefix, split on `/`. */
  path: string[];
  size: number;
  etag: string;
}

export interface FolderManifest {
  /** The prefix's last segment: `data/set/` → `set`. */
  name: string;
  /** In binary UTF-8 key order (S3's listing order); zero-length files included. */
  files: FolderFile[];
  totalSize: number;
  /** The newest file's LastModified, epoch seconds. */
  lastModified?: number;
  /** sha256 hex of the canonical manifest: the same (key, ETag, size) set under the same prefix always gives the same digest. */
  digest: string;
}

export interface FolderLimits {
  maxFiles: number;
  maxBytes: number;
}

/** A key as a JSON string literal that also escapes what JSON.stringify leaves raw (DEL, C1 controls, U+2028/2029): safe in any body or log line. */
const quote = (key: string) => JSON.stringify(key).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const invalidKey = (key: string, reason: string) =>
  new HttpError(400, 'InvalidFolderKey', `The key ${quote(key)} cannot be a file of a folder torrent: it ${reason}.`);

/** The relative path of a file key under `prefix`, or why it cannot be one. */
const filePath = (key: string, prefix: string): string[] => {
  const problem = objectKeyProblem(key);
  if (problem) throw invalidKey(key, problem);
  if (key.endsWith('/')) throw invalidKey(key, 'ends with "/" but is not empty');
  const path = key.slice(prefix.length).split('/');
  if (path.includes('')) throw invalidKey(key, 'has an empty path segment ("//")');
  return path;
};

/** Binary UTF-8 order, S3's listing order (UTF-16 `<` differs past the BMP). */
const byKeyBytes = (a: FolderObject, b: FolderObject) => Buffer.compare(Buffer.from(a.key, 'utf8'), Buffer.from(b.key, 'utf8'));

/**
 * The manifest of the folder `prefix` from its listing: the files a folder
 * torrent holds, in order, with their total and the digest that names this
 * exact content. Keys beside the prefix (`data/set-other` for `data/set/`)
 * are ignored; zero-byte keys ending in `/` are folder markers (the S3
 * console's) and skipped.
 *
 * Refuses (400 InvalidFolder) a prefix that does not end in `/` after a
 * non-empty last segment; (400 InvalidFolderKey) a key that cannot be a path
 * on a downloader's disk; (422 FolderTooLarge) more than `maxFiles` files or
 * `maxBytes` bytes; (422 EmptyFolder) a folder with no bytes to share.
 *
 * @example
 * folderManifest('data/set/', [{ key: 'data/set/a.bin', size: 3, etag: '"e1"' }], { maxFiles: 100, maxBytes: 2 ** 30 })
 * // { name: 'set', files: [{ key: 'data/set/a.bin', path: ['a.bin'], size: 3, etag: '"e1"' }], totalSize: 3, digest: '…' }
 */
export const folderManifest = (prefix: string, objects: FolderObject[], limits: FolderLimits): FolderManifest => {
  const name = prefix.endsWith('/') ? (prefix.slice(0, -1).split('/').pop() ?? '') : '';
  const prefixProblem = prefix === '' ? 'must not be empty' : name === '' ? 'must end with "/" after a non-empty folder name' : objectKeyProblem(prefix);
  if (prefixProblem) throw new HttpError(400, 'InvalidFolder', `The folder prefix ${quote(prefix)} ${prefixProblem}.`);

  const files: FolderFile[] = [];
  const paths = new Set<string>();
  let totalSize = 0;
  let newest: number | undefined;
  for (const object of [...objects].sort(byKeyBytes)) {
    if (!object.key.startsWith(prefix)) continue;
    if (object.size === 0 && object.key.endsWith('/')) continue;
    const path = filePath(object.key, prefix);
    const relative = path.join('/');
    if (paths.has(relative)) throw invalidKey(object.key, 'is listed twice');
    paths.add(relative);
    files.push({ key: object.key, path, size: object.size, etag: object.etag });
    totalSize += object.size;
    if (object.lastModified) newest = Math.max(newest ?? -Infinity, Math.floor(object.lastModified.getTime() / 1000));
  }
  // A torrent cannot hold `a` as a file and `a/b` beside it: `a` would be a file and a folder on disk.
  for (const file of files) {
    for (let i = 1; i < file.path.length; i++) {
      const folder = file.path.slice(0, i).join('/');
      if (paths.has(folder)) throw invalidKey(prefix + folder, `is a file, and also the folder of ${quote(file.key)}`);
    }
  }

  if (files.length > limits.maxFiles) {
    throw new HttpError(422, 'FolderTooLarge', `The folder holds more than ${limits.maxFiles} files, the most a folder torrent may have.`);
  }
  if (totalSize > limits.maxBytes) {
    throw new HttpError(422, 'FolderTooLarge', `The folder holds more than ${limits.maxBytes} bytes, the most a folder torrent may have.`);
  }
  // libtorrent refuses a torrent of no bytes ("invalid length of torrent"), as the single-object route refuses an empty object.
  if (totalSize === 0) {
    const what = files.length === 0 ? 'no files' : 'only empty files';
    throw new HttpError(422, 'EmptyFolder', `The folder ${quote(prefix)} holds ${what}; a torrent cannot describe it.`);
  }

  const canonical = JSON.stringify([FOLDER_MANIFEST_VERSION, prefix, files.map((f) => [f.key, f.etag, f.size])]);
  return {
    name,
    files,
    totalSize,
    ...(newest !== undefined ? { lastModified: newest } : {}),
    digest: createHash('sha256').update(canonical, 'utf8').digest('hex'),
  };
};
