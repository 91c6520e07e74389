import { BencodeError, bdecode, bencode, type BDict } from '../../../lambda/metainfo/bencode';
import { buildInfo, buildMetainfo } from '../../../lambda/metainfo/buildMetainfo';
import { InvalidTorrentError, validateTorrent } from '../../../lambda/metainfo/validateTorrent';

const pieces = (n: number) => Buffer.alloc(20 * n, 7);
const info = buildInfo({ name: 'talk.mp4', length: 40_000, pieceLength: 16_384, pieces: pieces(3) });
const torrent = buildMetainfo({ info, webSeeds: ['https://x.example/seed/t/demo/talk.mp4'], trackers: [], creationDate: 1_700_000_000 });

const failure = (bytes: Buffer, expect: { length?: number } = {}): unknown => {
  try {
    validateTorrent(bytes, expect);
  } catch (err) {
    return err;
  }
  return undefined;
};
const withInfo = (fields: Record<string, unknown>) => bencode({ info: fields as never });

describe('validateTorrent', () => {
  test('accepts a built torrent and returns its info fields and exact info bytes', () => {
    // Act
    const result = validateTorrent(torrent, { length: 40_000 });

    // Assert
    expect(result).toEqual({
      info: bdecode(info).value,
      infoBytes: info,
      name: 'talk.mp4',
      length: 40_000,
      pieceLength: 16_384,
      pieceCount: 3,
    });
  });

  test('accepts a multi-file torrent, reporting the files and their total as length', () => {
    const bytes = withInfo({ name: 'dir', 'piece length': 16_384, pieces: pieces(1), files: [{ length: 5, path: ['a'] }] });

    expect(validateTorrent(bytes)).toEqual({
      info: (bdecode(bytes).value as BDict).info,
      infoBytes: bytes.subarray(7, bytes.length - 1),
      name: 'dir',
      length: 5,
      pieceLength: 16_384,
      pieceCount: 1,
      files: [{ length: 5, path: ['a'] }],
    });
  });

  test.each<[string, Buffer, { length?: number }, string]>([
    ['an object body answered as a torrent', Buffer.from('hello'), {}, 'not a bencoded dictionary'],
    ['an empty body', Buffer.alloc(0), {}, 'not a bencoded dictionary'],
    ['a bencoded list', Buffer.from('le'), {}, 'not a bencoded dictionary'],
    ['a dictionary without info', bencode({ announce: 'x' }), {}, 'no info dictionary'],
    ['an info that is not a dictionary', bencode({ info: 'x' }), {}, 'no info dictionary'],
    ['an info without name', withInfo({ length: 1, 'piece length': 16_384, pieces: pieces(1) }), {}, 'info.name missing'],
    ['an empty name', withInfo({ name: '', length: 1, 'piece length': 16_384, pieces: pieces(1) }), {}, 'info.name missing'],
    ['a zero piece length', withInfo({ name: 'a', length: 1, 'piece length': 0, pieces: pieces(1) }), {}, 'info["piece length"] missing'],
    ['pieces that are not whole digests', withInfo({ name: 'a', length: 1, 'piece length': 16_384, pieces: Buffer.alloc(19) }), {}, 'info.pieces malformed'],
    ['a zero length', withInfo({ name: 'a', length: 0, 'piece length': 16_384, pieces: pieces(0) }), {}, 'info.length must be positive'],
    [
      'a piece count that does not match the length',
      withInfo({ name: 'a', length: 40_000, 'piece length': 16_384, pieces: pieces(2) }),
      {},
      'piece count does not match length',
    ],
    ['a length that differs from the object size', torrent, { length: 40_001 }, 'info.length 40000 differs from the object size 40001'],
    ['an info with neither length nor files', withInfo({ name: 'a', 'piece length': 16_384, pieces: pieces(1) }), {}, 'info has neither length nor files'],
  ])('refuses %s', (_label, bytes, expected, message) => {
    // Act
    const err = failure(bytes, expected);

    // Assert
    expect(err).toBeInstanceOf(InvalidTorrentError);
    expect((err as Error).message).toBe(message);
  });

  test('refuses a truncated torrent as invalid bencode, keeping the decoder error as cause', () => {
    // Act
    const err = failure(torrent.subarray(0, torrent.length - 1)) as InvalidTorrentError;

    // Assert
    expect(err).toBeInstanceOf(InvalidTorrentError);
    expect(err.message).toBe('not valid bencode');
    expect(err.cause).toBeInstanceOf(BencodeError);
  });
});

describe('validateTorrent on multi-file torrents', () => {
  const folder = (files: unknown[], count = 1) => withInfo({ name: 'set', 'piece length': 16_384, pieces: pieces(count), files });

  test('returns every file in torrent order, zero-length ones included, and compares expect.length with the total', () => {
    // Arrange
    const files = [
      { length: 16_384, path: ['b.bin'] },
      { length: 0, path: ['empty'] },
      { length: 1, path: ['sub', 'é ü.txt'] },
    ];

    // Act
    const result = validateTorrent(folder(files, 2), { length: 16_385 });

    // Assert
    expect({ length: result.length, pieceCount: result.pieceCount, files: result.files }).toEqual({ length: 16_385, pieceCount: 2, files });
  });

  test('leaves files undefined for a single-file torrent', () => {
    expect(validateTorrent(torrent).files).toBeUndefined();
  });

  test.each<[string, Buffer, { length?: number }, string]>([
    [
      'a total that differs from the expected size',
      folder([{ length: 5, path: ['a'] }]),
      { length: 6 },
      'info.files total length 5 differs from the expected size 6',
    ],
    [
      'a piece count that does not match the total',
      folder([
        { length: 16_384, path: ['a'] },
        { length: 1, path: ['b'] },
      ]),
      {},
      'piece count does not match length',
    ],
    ['an empty files list', folder([], 0), {}, 'info.files is empty'],
    ['only zero-length files', folder([{ length: 0, path: ['a'] }], 0), {}, 'info.files total length must be positive'],
    ['an entry that is not a dictionary', folder(['a']), {}, 'info.files[0] is not a dictionary'],
    [
      'a negative length',
      folder([
        { length: 6, path: ['a'] },
        { length: -1, path: ['b'] },
      ]),
      {},
      'info.files[1].length must be a non-negative integer',
    ],
    ['a missing length', folder([{ path: ['a'] }]), {}, 'info.files[0].length must be a non-negative integer'],
    ['a string length', folder([{ length: '5', path: ['a'] }]), {}, 'info.files[0].length must be a non-negative integer'],
    ['a missing path', folder([{ length: 5 }]), {}, 'info.files[0].path must be a non-empty list'],
    ['an empty path', folder([{ length: 5, path: [] }]), {}, 'info.files[0].path must be a non-empty list'],
    ['a path that is a string', folder([{ length: 5, path: 'a/b' }]), {}, 'info.files[0].path must be a non-empty list'],
    ['an empty segment', folder([{ length: 5, path: ['a', ''] }]), {}, 'info.files[0].path[1] is empty or not a string'],
    ['a segment that is a number', folder([{ length: 5, path: [1] }]), {}, 'info.files[0].path[0] is empty or not a string'],
    ['a ".." segment', folder([{ length: 5, path: ['..', 'etc'] }]), {}, 'info.files[0].path[0] is "." or ".."'],
    ['a "." segment', folder([{ length: 5, path: ['a', '.'] }]), {}, 'info.files[0].path[1] is "." or ".."'],
    ['a "/" inside a segment', folder([{ length: 5, path: ['a/../../b'] }]), {}, 'info.files[0].path[0] contains "/" or NUL'],
    ['a NUL inside a segment', folder([{ length: 5, path: ['a\u0000b'] }]), {}, 'info.files[0].path[0] contains "/" or NUL'],
    ['a segment that is not UTF-8', folder([{ length: 5, path: [Buffer.from([0x61, 0xff])] }]), {}, 'info.files[0].path[0] is not UTF-8'],
    [
      'an info with both length and files',
      withInfo({ name: 'set', length: 5, 'piece length': 16_384, pieces: pieces(1), files: [{ length: 5, path: ['a'] }] }),
      {},
      'info has both length and files',
    ],
    [
      'files that are not a list',
      withInfo({ name: 'set', 'piece length': 16_384, pieces: pieces(1), files: { a: 1 } }),
      {},
      'info has neither length nor files',
    ],
  ])('refuses %s', (_label, bytes, expected, message) => {
    // Act
    const err = failure(bytes, expected);

    // Assert
    expect(err).toBeInstanceOf(InvalidTorrentError);
    expect((err as Error).message).toBe(message);
  });
});
