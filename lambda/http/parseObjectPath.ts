import { HttpError } from './HttpError';

export interface ObjectPath {
  bucket: string;
  key: string;
  /** Path segments between the route name and the bucket (the seed route's token). */
  leading: string[];
}

const MAX_KEY_BYTES = 1024;
const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
// C0 controls, DEL and C1 controls: never valid in a key we serve or a header we write.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a bucket name breaks S3's naming rules, or undefined if it follows them. */
export const bucketNameProblem = (name: string): string | undefined => {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!BUCKET_CHARS.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (IP_LIKE.test(name)) return 'must not look like an IP address';
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return 'uses a reserved prefix';
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return 'uses a reserved suffix';
  return undefined;
};

/** Why a (decoded) object key cannot be served, or undefined. */
export const objectKeyProblem = (key: string): string | undefined => {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0) return 'must not be empty';
  if (bytes > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} bytes of UTF-8 (got ${bytes})`;
  if (CONTROL.test(key)) return 'must not contain control characters';
  // '.' and '..' segments are legal in S3 but are rewritten by browsers, proxies
  // and HTTP libraries on the way to us and to the web seed: refuse them.
  if (key.split('/').some((seg) => seg === '.' || seg === '..')) return 'must not contain "." or ".." path segments';
  return undefined;
};

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
