import fc from 'fast-check';
import { HttpError } from '../../../lambda/http/HttpError';
import { encodeKeyPath, parseObjectPath } from '../../../lambda/http/parseObjectPath';
import { objectKeyProblem } from '../../../lambda/policy/objectKeyProblem';
import { bucketNameProblem } from '../../../lambda/s3/bucketNameProblem';

const SIG = 'A'.repeat(43);
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The HttpError a call throws, as a plain value, or undefined if it returns. */
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { statusCode: err.statusCode, code: err.code, message: err.message };
  }
  return undefined;
};
const invalidPath = (message: string) => ({ statusCode: 400, code: 'InvalidPath', message });

// S3 bucket naming rules, written out here rather than taken from the code under test.
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
const validBucket = fc
  .array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/), { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'))
  .filter(
    (b) =>
      b.length >= 3 &&
      b.length <= 63 &&
      !/^\d+\.\d+\.\d+\.\d+$/.test(b) &&
      !RESERVED_PREFIXES.some((p) => b.startsWith(p)) &&
      !RESERVED_SUFFIXES.some((s) => b.endsWith(s)),
  );

const keyUnit = fc.oneof(
  fc.constantFrom('/', '%', '%2F', '%25', '.', ' ', '#', '?', '+', '&', '\\', '~', "'", '*', 'é', '€', '😀', '\u{10FFFF}'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
/** Keys we serve: 1..1024 UTF-8 bytes, no control characters, no "." or ".." segments. */
const servableKey = fc.string({ unit: keyUnit, minLength: 1, maxLength: 200 }).filter((k) => {
  const bytes = Buffer.byteLength(k);
  return bytes >= 1 && bytes <= 1024 && !CONTROL.test(k) && !k.split('/').some((s) => s === '.' || s === '..');
});

describe('parseObjectPath', () => {
  test.each([
    ['a space as %20', '/torrent/demo/a%20b.bin', { bucket: 'demo', key: 'a b.bin', leading: [] }],
    ['UTF-8 percent-encoding', '/torrent/demo/caf%C3%A9%20%F0%9F%98%80.txt', { bucket: 'demo', key: 'café 😀.txt', leading: [] }],
    ['nested prefixes', '/torrent/my.bucket-1/videos/2026/talk.mp4', { bucket: 'my.bucket-1', key: 'videos/2026/talk.mp4', leading: [] }],
    ['%2F inside a key as a slash', '/torrent/demo/a%2Fb', { bucket: 'demo', key: 'a/b', leading: [] }],
    ['%252F as a literal %2F', '/torrent/demo/a%252Fb', { bucket: 'demo', key: 'a%2Fb', leading: [] }],
    ['empty segments as part of the key', '/torrent/demo//a//b/', { bucket: 'demo', key: '/a//b/', leading: [] }],
    ['a path with a stage prefix', '/prod/torrent/demo/a.bin', { bucket: 'demo', key: 'a.bin', leading: [] }],
    ['"..." and ".x" segments as ordinary names', '/torrent/demo/.../.x/..y', { bucket: 'demo', key: '.../.x/..y', leading: [] }],
    ['a 63-character bucket name', `/torrent/${'a'.repeat(63)}/k`, { bucket: 'a'.repeat(63), key: 'k', leading: [] }],
  ])('reads %s', (_label, path, expected) => {
    expect(parseObjectPath(path, 'torrent', 0)).toEqual(expected);
  });

  test('reads the seed route with its token as a leading segment, undecoded', () => {
    // Act
    const parsed = parseObjectPath(`/seed/k1.1900000000.${SIG}/demo/samples/a%20b.bin`, 'seed', 1);

    // Assert
    expect(parsed).toEqual({ bucket: 'demo', key: 'samples/a b.bin', leading: [`k1.1900000000.${SIG}`] });
  });

  test('accepts a key of exactly 1024 UTF-8 bytes made of multi-byte characters', () => {
    // Arrange: 341 three-byte characters and one one-byte character.
    const key = '€'.repeat(341) + 'a';

    // Act
    const parsed = parseObjectPath(`/torrent/demo/${encodeKeyPath(key)}`, 'torrent', 0);

    // Assert
    expect(parsed).toEqual({ bucket: 'demo', key, leading: [] });
  });

  test('refuses a key of 1025 UTF-8 bytes', () => {
    const key = 'é'.repeat(512) + 'a';

    expect(refusal(() => parseObjectPath(`/torrent/demo/${encodeKeyPath(key)}`, 'torrent', 0))).toEqual(
      invalidPath('Object key must be at most 1024 bytes of UTF-8 (got 1025).'),
    );
  });

  test.each([
    ['uppercase letters', 'Demo', 'may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit'],
    ['an underscore', 'my_bucket', 'may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit'],
    ['a leading hyphen', '-demo', 'may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit'],
    ['a trailing dot', 'demo.', 'may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit'],
    ['percent-encoding', 'de%6Do', 'may contain only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit'],
    ['two characters', 'ab', 'must be 3 to 63 characters long'],
    ['64 characters', 'a'.repeat(64), 'must be 3 to 63 characters long'],
    ['no characters', '', 'must be 3 to 63 characters long'],
    ['two adjacent dots', 'my..bucket', 'must not contain two adjacent dots'],
    ['the shape of an IP address', '192.168.5.4', 'must not look like an IP address'],
    ['the xn-- prefix', 'xn--bucket', 'uses a reserved prefix'],
    ['the sthree- prefix', 'sthree-bucket', 'uses a reserved prefix'],
    ['the amzn-s3-demo- prefix', 'amzn-s3-demo-bucket', 'uses a reserved prefix'],
    ['the -s3alias suffix', 'bucket-s3alias', 'uses a reserved suffix'],
    ['the --ol-s3 suffix', 'bucket--ol-s3', 'uses a reserved suffix'],
    ['the .mrap suffix', 'bucket.mrap', 'uses a reserved suffix'],
    ['the --x-s3 suffix', 'bucket--x-s3', 'uses a reserved suffix'],
    ['the --table-s3 suffix', 'bucket--table-s3', 'uses a reserved suffix'],
  ])('returns 400 InvalidPath for a bucket name with %s', (_label, bucket, problem) => {
    expect(refusal(() => parseObjectPath(`/torrent/${bucket}/key`, 'torrent', 0))).toEqual(invalidPath(`Bucket name ${problem}.`));
  });

  test.each([
    ['an empty key', '/torrent/demo/', 'Object key must not be empty.'],
    ['no key at all', '/torrent/demo', 'Expected a path like /torrent/<bucket>/<key>.'],
    ['another route', '/seed/demo/a.bin', 'Expected a path like /torrent/<bucket>/<key>.'],
    ['NUL (%00)', '/torrent/demo/a%00b', 'Object key must not contain control characters.'],
    ['a line feed (%0A)', '/torrent/demo/a%0Ab', 'Object key must not contain control characters.'],
    ['a carriage return (%0D)', '/torrent/demo/a%0Db', 'Object key must not contain control characters.'],
    ['DEL (%7F)', '/torrent/demo/a%7Fb', 'Object key must not contain control characters.'],
    ['the C1 control NEL (%C2%85)', '/torrent/demo/a%C2%85b', 'Object key must not contain control characters.'],
    ['a raw tab', '/torrent/demo/a\tb', 'Object key must not contain control characters.'],
    ['a bad escape (%ZZ)', '/torrent/demo/a%ZZ', 'Object key is not valid percent-encoded UTF-8.'],
    ['a lone %', '/torrent/demo/100%', 'Object key is not valid percent-encoded UTF-8.'],
    ['truncated UTF-8 (%E0%A4)', '/torrent/demo/a%E0%A4', 'Object key is not valid percent-encoded UTF-8.'],
    ['a byte that is never UTF-8 (%FF)', '/torrent/demo/a%FF', 'Object key is not valid percent-encoded UTF-8.'],
    ['an encoded surrogate (%ED%A0%80)', '/torrent/demo/a%ED%A0%80', 'Object key is not valid percent-encoded UTF-8.'],
    ['a "." key', '/torrent/demo/.', 'Object key must not contain "." or ".." path segments.'],
    ['a ".." key', '/torrent/demo/..', 'Object key must not contain "." or ".." path segments.'],
    ['a "." segment', '/torrent/demo/a/./b', 'Object key must not contain "." or ".." path segments.'],
    ['a ".." segment', '/torrent/demo/a/../b', 'Object key must not contain "." or ".." path segments.'],
    ['a percent-encoded ".." segment', '/torrent/demo/a/%2E%2E/b', 'Object key must not contain "." or ".." path segments.'],
    ['a ".." segment made with %2F', '/torrent/demo/a%2F..%2Fb', 'Object key must not contain "." or ".." path segments.'],
  ])('returns 400 InvalidPath for %s', (_label, path, message) => {
    expect(refusal(() => parseObjectPath(path, 'torrent', 0))).toEqual(invalidPath(message));
  });

  test('returns 400 InvalidPath for a seed path without its token', () => {
    expect(refusal(() => parseObjectPath('/seed/demo/a.bin', 'seed', 1))).toEqual(invalidPath('Expected a path like /seed/<bucket>/<key>.'));
    expect(refusal(() => parseObjectPath('/seed/demo', 'seed', 1))).toEqual(invalidPath('Expected a path like /seed/<bucket>/<key>.'));
  });

  test('gives back any servable key from its encoded path', () => {
    fc.assert(
      fc.property(validBucket, servableKey, (bucket, key) => {
        // Act
        const parsed = parseObjectPath(`/torrent/${bucket}/${encodeKeyPath(key)}`, 'torrent', 0);

        // Assert
        expect(parsed).toEqual({ bucket, key, leading: [] });
      }),
      { numRuns: 500 },
    );
  });

  test('either reads a path or refuses it with 400 InvalidPath, never another error', () => {
    const unit = fc.oneof(
      fc.constantFrom('/', '%', '%2F', '%25', '%00', '%C2%85', '%E0%A4', '%FF', '%2E', '.', '..', 'torrent', 'seed', 'demo', 'a', 'A', '-', '1', '--ol-s3'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('', '/torrent/', '/seed/', '/prod/torrent/'),
        fc.string({ unit, maxLength: 40 }),
        fc.constantFrom<[string, number]>(['torrent', 0], ['seed', 1]),
        (start, rest, [route, leading]) => {
          // Act
          let outcome: unknown;
          try {
            outcome = parseObjectPath(start + rest, route, leading);
          } catch (err) {
            outcome = err;
          }

          // Assert
          if (outcome instanceof Error) {
            expect(outcome).toBeInstanceOf(HttpError);
            expect({ statusCode: (outcome as HttpError).statusCode, code: (outcome as HttpError).code }).toEqual({ statusCode: 400, code: 'InvalidPath' });
          } else {
            const { bucket, key } = outcome as { bucket: string; key: string };
            expect({ bucket: bucketNameProblem(bucket), key: objectKeyProblem(key) }).toEqual({ bucket: undefined, key: undefined });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('encodeKeyPath', () => {
  test('percent-encodes each segment and keeps the slashes', () => {
    expect(encodeKeyPath("a b/c#d?e/%2F/é/x+y&z'")).toBe("a%20b/c%23d%3Fe/%252F/%C3%A9/x%2By%26z'");
  });
});
