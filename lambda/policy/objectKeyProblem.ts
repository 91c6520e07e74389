/** What keys the proxy serves at all, whatever the bucket policy says. */
const MAX_KEY_BYTES = 1024;
// C0 controls, DEL and C1 controls: never valid in a key we serve or a header we write.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Only JSON bodies (POST /links) can carry these; a percent-decoded path cannot.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a (decoded) object key cannot be served, or undefined. */
export const objectKeyProblem = (key: string): string | undefined => {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0) return 'must not be empty';
  if (bytes > MAX_KEY_BYTES) return `must be at most ${MAX_KEY_BYTES} bytes of UTF-8 (got ${bytes})`;
  if (CONTROL.test(key)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(key)) return 'must be valid Unicode (no lone surrogates)';
  // '.' and '..' segments are legal in S3 but are rewritten by browsers, proxies
  // and HTTP libraries on the way to us and to the web seed: refuse them.
  if (key.split('/').some((seg) => seg === '.' || seg === '..')) return 'must not contain "." or ".." path segments';
  return undefined;
};
