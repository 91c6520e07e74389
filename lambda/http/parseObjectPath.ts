import { bucketNameProblem } from '../s3/bucketNameProblem';
import { objectKeyProblem } from '../policy/objectKeyProblem';
import { HttpError } from './HttpError';

export interface ObjectPath {
  bucket: string;
  key: string;
  /** Path segments between the route name and the bucket (the seed route's token). */
  leading: string[];
}

const bad = (message: string) => new HttpError(400, 'InvalidPath', message);

/**
 * Splits the raw (still percent-encoded) request path after `/<route>/` into
 * `leading` segments, bucket and key, decoding the key exactly once.
 * API Gateway REST passes `event.path` percent-encoded; decoding once here
 * means `%2F` in a key is a slash and `%252F` is a literal `%2F`.
 *
 * @example
 * parseObjectPath('/torrent/demo/a%20b.bin', 'torrent', 0) // { bucket: 'demo', key: 'a b.bin', leading: [] }
 */
export const parseObjectPath = (rawPath: string, route: string, leadingSegments: number): ObjectPath => {
  const marker = `/${route}/`;
  const at = rawPath.indexOf(marker);
  if (at < 0) throw bad(`Expected a path like /${route}/<bucket>/<key>.`);
  const rest = rawPath.slice(at + marker.length);
  const parts = rest.split('/');
  if (parts.length < leadingSegments + 2) throw bad(`Expected a path like /${route}/<bucket>/<key>.`);
  const leading = parts.slice(0, leadingSegments);
  const bucket = parts[leadingSegments];
  const rawKey = parts.slice(leadingSegments + 1).join('/');
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) throw bad(`Bucket name ${bucketProblem}.`);
  let key: string;
  try {
    key = decodeURIComponent(rawKey);
  } catch {
    throw bad('Object key is not valid percent-encoded UTF-8.');
  }
  const keyProblem = objectKeyProblem(key);
  if (keyProblem) throw bad(`Object key ${keyProblem}.`);
  return { bucket, key, leading };
};

/** Percent-encodes a key for a URL path, keeping `/` as the separator. */
export const encodeKeyPath = (key: string): string => key.split('/').map(encodeURIComponent).join('/');
