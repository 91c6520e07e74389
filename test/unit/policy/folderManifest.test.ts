import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { HttpError } from '../../../lambda/http/HttpError';
import { FOLDER_MANIFEST_VERSION, folderManifest, type FolderObject } from '../../../lambda/policy/folderManifest';

const LIMITS = { maxFiles: 100, maxBytes: 10_000_000 };
const PREFIX = 'data/set/';
const obj = (key: string, size = 10, etag = `"${key.length}-${size}"`, lastModified?: Date): FolderObject => ({ key, size, etag, lastModified });

const failure = (prefix: string, objects: FolderObject[], limits = LIMITS): HttpError => {
  try {
    folderManifest(prefix, objects, limits);
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected folderManifest to throw');
};
const shape = (err: HttpError) => ({ status: err.statusCode, code: err.code, message: err.message });

describe('folderManifest', () => {
  test('lists the files under the prefix as paths relative to it, with their total and the prefix last segment as name', () => {
    // Act
    const manifest = folderManifest(PREFIX, [obj('data/set/a.bin', 3, '"e1"'), obj('data/set/sub/deep/b c.txt', 4, '"e2"')], LIMITS);

    // Assert
    expect(manifest).toEqual({
      name: 'set',
      files: [
        { key: 'data/set/a.bin', path: ['a.bin'], size: 3, etag: '"e1"' },
        { key: 'data/set/sub/deep/b c.txt', path: ['sub', 'deep', 'b c.txt'], size: 4, etag: '"e2"' },
      ],
      totalSize: 7,
      digest: manifest.digest,
    });
  });

  test('names a top-level prefix after itself', () => {
    expect(folderManifest('set ü/', [obj('set ü/a')], LIMITS).name).toBe('set ü');
  });

  test('ignores keys beside the prefix, which only share its first characters', () => {
    // Act
    const manifest = folderManifest(
      PREFIX,
      [obj('data/set-other'), obj('data/set'), obj('data/setx/a'), obj('data/set/a'), obj('other/data/set/b'), obj('data/')],
      LIMITS,
    );

    // Assert
    expect(manifest.files.map((f) => f.key)).toEqual(['data/set/a']);
  });

  test("skips zero-byte folder markers (the S3 console's) and keeps other zero-length objects as empty files", () => {
    // Act
    const manifest = folderManifest(PREFIX, [obj('data/set/', 0), obj('data/set/sub/', 0), obj('data/set/sub/empty', 0), obj('data/set/sub/a', 5)], LIMITS);

    // Assert
    expect({ files: manifest.files.map((f) => [f.path, f.size]), totalSize: manifest.totalSize }).toEqual({
      files: [
        [['sub', 'a'], 5],
        [['sub', 'empty'], 0],
      ],
      totalSize: 5,
    });
  });

  test('orders files by their UTF-8 bytes (S3 order) whatever order they come in, where UTF-16 order differs', () => {
    // Arrange: U+FFFD sorts before U+1F600 in UTF-8 and after it in UTF-16; '-' and '.' before '/'.
    const keys = ['data/set/\u{1F600}', 'data/set/sub/x', 'data/set/\uFFFD', 'data/set/sub.bin', 'data/set/sub-x', 'data/set/B', 'data/set/a'];

    // Act
    const manifest = folderManifest(
      PREFIX,
      keys.map((k) => obj(k)),
      LIMITS,
    );

    // Assert
    expect(manifest.files.map((f) => f.key)).toEqual([
      'data/set/B',
      'data/set/a',
      'data/set/sub-x',
      'data/set/sub.bin',
      'data/set/sub/x',
      'data/set/\uFFFD',
      'data/set/\u{1F600}',
    ]);
  });

  test("gives the newest file's LastModified in epoch seconds, markers aside, and none when no file has one", () => {
    // Arrange
    const objects = [
      obj('data/set/', 0, '"m"', new Date('2030-01-01T00:00:00Z')),
      obj('data/set/a', 1, '"a"', new Date('2024-05-01T10:00:00.900Z')),
      obj('data/set/b', 1, '"b"', new Date('2024-06-01T10:00:00.900Z')),
      obj('data/set/c', 1, '"c"'),
    ];

    // Act
    const dated = folderManifest(PREFIX, objects, LIMITS);
    const undated = folderManifest(PREFIX, [obj('data/set/c')], LIMITS);

    // Assert
    expect({ dated: dated.lastModified, undated: 'lastModified' in undated }).toEqual({ dated: Date.UTC(2024, 5, 1, 10) / 1000, undated: false });
  });

  test('digests the canonical JSON of format version, prefix and each file as [key, etag, size]', () => {
    // Arrange
    const canonical = JSON.stringify([
      1,
      PREFIX,
      [
        ['data/set/a', '"e1"', 3],
        ['data/set/b/c', '"e2"', 0],
        ['data/set/d', '"e3"', 4],
      ],
    ]);

    // Act
    const manifest = folderManifest(PREFIX, [obj('data/set/d', 4, '"e3"'), obj('data/set/a', 3, '"e1"'), obj('data/set/b/c', 0, '"e2"')], LIMITS);

    // Assert
    expect({ version: FOLDER_MANIFEST_VERSION, digest: manifest.digest }).toEqual({
      version: 1,
      digest: createHash('sha256').update(canonical).digest('hex'),
    });
  });

  test('gives another digest for the same files under another prefix', () => {
    const a = folderManifest('x/set/', [obj('x/set/a', 1, '"e"')], LIMITS);
    const b = folderManifest('y/set/', [obj('y/set/a', 1, '"e"')], LIMITS);

    expect(a.digest).not.toBe(b.digest);
  });

  test.each<[string, string]>([
    ['an empty prefix', ''],
    ['a prefix without the trailing "/"', 'data/set'],
    ['the bucket root "/"', '/'],
    ['a prefix whose last segment is empty', 'data//'],
    ['a ".." segment', 'data/../'],
    ['a "." last segment', 'data/./'],
    ['a control character', 'data/se\u0007t/'],
  ])('answers 400 InvalidFolder for %s', (_label, prefix) => {
    const err = failure(prefix, [obj(`${prefix}a`)]);

    expect({ status: err.statusCode, code: err.code, namesPrefix: err.message.includes(JSON.stringify(prefix)) }).toEqual({
      status: 400,
      code: 'InvalidFolder',
      namesPrefix: true,
    });
  });

  test.each<[string, FolderObject[], string, string]>([
    ['an empty segment', [obj('data/set/a//b')], 'data/set/a//b', 'has an empty path segment ("//")'],
    ['an empty first segment', [obj('data/set//a')], 'data/set//a', 'has an empty path segment ("//")'],
    ['a trailing "/" on a non-empty object', [obj('data/set/dir/', 5)], 'data/set/dir/', 'ends with "/" but is not empty'],
    ['a non-empty object at the prefix itself', [obj('data/set/', 5)], 'data/set/', 'ends with "/" but is not empty'],
    ['a ".." segment', [obj('data/set/../etc/passwd')], 'data/set/../etc/passwd', 'must not contain "." or ".." path segments'],
    ['a "." segment', [obj('data/set/./a')], 'data/set/./a', 'must not contain "." or ".." path segments'],
    ['a control character', [obj('data/set/a\u0001"b')], 'data/set/a\u0001"b', 'must not contain control characters'],
    ['DEL', [obj('data/set/a\u007f')], 'data/set/a\u007f', 'must not contain control characters'],
    ['a C1 control', [obj('data/set/a\u0085')], 'data/set/a\u0085', 'must not contain control characters'],
    ['a key past 1024 bytes', [obj(`data/set/${'é'.repeat(510)}`)], `data/set/${'é'.repeat(510)}`, 'must be at most 1024 bytes of UTF-8 (got 1029)'],
    ['a key listed twice', [obj('data/set/a'), obj('data/set/a')], 'data/set/a', 'is listed twice'],
    [
      'a file that is also the folder of another',
      [obj('data/set/a/b/c'), obj('data/set/a/b')],
      'data/set/a/b',
      'is a file, and also the folder of "data/set/a/b/c"',
    ],
  ])('answers 400 InvalidFolderKey naming the key for %s', (_label, objects, key, reason) => {
    // Act
    const err = failure(PREFIX, objects);

    // Assert: the key appears as a JSON string literal, with no raw control character in the message.
    const [, literal, rest] = /^The key (".*") cannot be a file of a folder torrent: it (.*)$/s.exec(err.message) ?? [];
    expect({ status: err.statusCode, code: err.code, key: JSON.parse(literal), rest, raw: /[\u0000-\u001f\u007f-\u009f]/.test(err.message) }).toEqual({
      status: 400,
      code: 'InvalidFolderKey',
      key,
      rest: `${reason}.`,
      raw: false,
    });
  });

  test('quotes a key in its message exactly as JSON would, escaping DEL and C1 controls too', () => {
    expect(failure(PREFIX, [obj('data/set/a"\u007f\u0085')]).message).toBe(
      'The key "data/set/a\\"\\u007f\\u0085" cannot be a file of a folder torrent: it must not contain control characters.',
    );
  });

  test.each<[string, FolderObject[], { maxFiles: number; maxBytes: number }, string]>([
    [
      'more files than maxFiles',
      [obj('data/set/a'), obj('data/set/b'), obj('data/set/c')],
      { maxFiles: 2, maxBytes: 1000 },
      'The folder holds more than 2 files, the most a folder torrent may have.',
    ],
    [
      'more bytes than maxBytes',
      [obj('data/set/a', 600), obj('data/set/b', 401)],
      { maxFiles: 10, maxBytes: 1000 },
      'The folder holds more than 1000 bytes, the most a folder torrent may have.',
    ],
  ])('answers 422 FolderTooLarge for %s', (_label, objects, limits, message) => {
    expect(shape(failure(PREFIX, objects, limits))).toEqual({ status: 422, code: 'FolderTooLarge', message });
  });

  test('takes a folder of exactly maxFiles files and maxBytes bytes, markers not counted', () => {
    const manifest = folderManifest(PREFIX, [obj('data/set/', 0), obj('data/set/a', 600), obj('data/set/b', 400)], { maxFiles: 2, maxBytes: 1000 });

    expect({ files: manifest.files.length, totalSize: manifest.totalSize }).toEqual({ files: 2, totalSize: 1000 });
  });

  test.each<[string, FolderObject[], string]>([
    ['no objects at all', [], 'no files'],
    ['only folder markers', [obj('data/set/', 0), obj('data/set/sub/', 0)], 'no files'],
    ['only keys beside the prefix', [obj('data/set-other/a')], 'no files'],
    ['only zero-length files (libtorrent refuses a torrent of no bytes)', [obj('data/set/a', 0), obj('data/set/b', 0)], 'only empty files'],
  ])('answers 422 EmptyFolder for %s', (_label, objects, what) => {
    expect(shape(failure(PREFIX, objects))).toEqual({
      status: 422,
      code: 'EmptyFolder',
      message: `The folder "data/set/" holds ${what}; a torrent cannot describe it.`,
    });
  });

  describe('digest properties', () => {
    // File names start with "f" and folders are d1, d2/sub: no key is both a file and a folder.
    const name = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '0', ' ', '-', '.', 'é', '\u{1F600}'), minLength: 0, maxLength: 6 }).map((s) => `f${s}`);
    const file = fc.record({
      key: fc.tuple(fc.constantFrom('', 'd1/', 'd2/sub/'), name).map(([dir, n]) => `${PREFIX}${dir}${n}`),
      size: fc.integer({ min: 1, max: 1_000 }),
      etag: fc.string({ unit: fc.constantFrom('0', '1', '9', 'a', 'f'), minLength: 1, maxLength: 8 }).map((h) => `"${h}"`),
    });
    const folder = fc.uniqueArray(file, { selector: (f) => f.key, minLength: 1, maxLength: 12 });
    const noise = fc.array(fc.constantFrom(obj('data/set/', 0), obj('data/set/d1/', 0), obj('data/set-other/x', 9), obj('data/sets', 3)), { maxLength: 4 });

    test('is the same for the same (key, ETag, size) set in any order, with markers and keys beside the prefix anywhere', () => {
      const scenario = fc
        .tuple(folder, noise)
        .chain(([files, extra]) => fc.tuple(fc.constant(files), fc.shuffledSubarray([...files, ...extra], { minLength: files.length + extra.length })));
      fc.assert(
        fc.property(scenario, ([files, shuffled]) => {
          expect(folderManifest(PREFIX, shuffled, LIMITS).digest).toBe(folderManifest(PREFIX, files, LIMITS).digest);
        }),
      );
    });

    test('changes when any file gains, loses or changes a key, ETag or size', () => {
      fc.assert(
        fc.property(folder, fc.nat(), fc.constantFrom('key', 'etag', 'size', 'remove', 'add'), (files, at, change) => {
          const i = at % files.length;
          const changed = [...files];
          const f = files[i];
          if (change === 'key') changed[i] = { ...f, key: `${f.key}~` };
          if (change === 'etag') changed[i] = { ...f, etag: `${f.etag}0` };
          if (change === 'size') changed[i] = { ...f, size: f.size + 1 };
          if (change === 'remove' && files.length > 1) changed.splice(i, 1);
          if (change === 'add' || (change === 'remove' && files.length === 1)) changed.push(obj(`${PREFIX}g${i}`, 1, '"new"'));

          expect(folderManifest(PREFIX, changed, LIMITS).digest).not.toBe(folderManifest(PREFIX, files, LIMITS).digest);
        }),
      );
    });
  });
});
