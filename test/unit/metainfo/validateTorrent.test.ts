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

  test('accepts a multi-file torrent, reporting length -1', () => {
    const bytes = withInfo({ name: 'dir', 'piece length': 16_384, pieces: pieces(1), files: [{ length: 5, path: ['a'] }] });

    expect(validateTorrent(bytes)).toEqual({
      info: (bdecode(bytes).value as BDict).info,
      infoBytes: bytes.subarray(7, bytes.length - 1),
      name: 'dir',
      length: -1,
      pieceLength: 16_384,
      pieceCount: 1,
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
