import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { demoBytes } from '../../../infra/local/embeddedS3';
import { bdecode } from '../../../lambda/metainfo/bencode';
import { buildFolderInfo, buildMetainfo, type FolderInfoFields } from '../../../lambda/metainfo/buildMetainfo';
import { validateTorrent } from '../../../lambda/metainfo/validateTorrent';
import { expectedPieces, requireTool } from '../../helpers/torrentTools';

const digest = (n: number) => Buffer.alloc(20, n);
const sha1Hex = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const PIECE = 16_384;

/**
 * The folder of the golden checks, as relative keys under the prefix. Binary
 * UTF-8 order (S3's) puts `sub-x.bin` and `sub.bin` before `sub/…` ('-' and
 * '.' sort before '/') and U+FFFD before U+1F600 (UTF-16 order says the
 * opposite): neither a sorted tree walk nor JavaScript's default sort gives it.
 */
const FOLDER_FILES: Array<[string, number]> = [
  ['sub/deeper/zero', 0],
  ['\u{1F600} face.txt', 16_384],
  ['b.bin', 1],
  ['sub.bin', 40_000],
  ['empty', 0],
  ['a.bin', 50_000],
  ['\uFFFD.bin', 7],
  ['sub/deeper/é ü.bin', 20_000],
  ['mid small.txt', 100],
  ['sub-x.bin', 3_000],
];
const s3Order = (files: Array<[string, number]>) => [...files].sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
const bytesOf = (rel: string, size: number) => demoBytes(size, rel);

/**
 * libtorrent 2.0 (python3-libtorrent), never our code: the folder as its
 * add_files walks it, the info-hash of the v1 torrent it builds from that
 * walk, and of the one it builds from a file_storage filled in the order we
 * give; then our .torrent files parsed back by torrent_info.
 */
const LT_FOLDER = `
import sys, os, json, libtorrent as lt
root, name, piece, priv = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == '1'
order, ours = json.loads(sys.stdin.read())
def info_hash(fs):
    t = lt.create_torrent(fs, piece, flags=lt.create_torrent.v1_only)
    t.set_priv(priv)
    lt.set_piece_hashes(t, root)
    return str(lt.torrent_info(lt.bencode(t.generate())).info_hash())
def listing(fs):
    return [[fs.file_path(i), fs.file_size(i)] for i in range(fs.num_files())]
walk = lt.file_storage()
lt.add_files(walk, os.path.join(root, name))
given = lt.file_storage()
for rel, size in order:
    given.add_file(name + '/' + rel, size)
parsed = []
for path in ours:
    ti = lt.torrent_info(path)
    parsed.append({'hash': str(ti.info_hash()), 'name': ti.name(), 'pieceLength': ti.piece_length(), 'pieces': ti.num_pieces(),
                   'private': ti.priv(), 'files': listing(ti.files())})
print(json.dumps({'walk': listing(walk), 'walkHash': info_hash(walk), 'givenHash': info_hash(given), 'ours': parsed}))
`;

interface LtAnswer {
  walk: Array<[string, number]>;
  walkHash: string;
  givenHash: string;
  ours: Array<{ hash: string; name: string; pieceLength: number; pieces: number; private: boolean; files: Array<[string, number]> }>;
}

/** Our info dictionary of `files` in the given order, pieces hashed directly over their bytes end to end. */
const ourInfo = (name: string, files: Array<[string, number]>, isPrivate: boolean): Buffer =>
  buildFolderInfo({
    name,
    files: files.map(([rel, size]) => ({ length: size, path: rel.split('/') })),
    pieceLength: PIECE,
    pieces: expectedPieces(Buffer.concat(files.map(([rel, size]) => bytesOf(rel, size))), PIECE),
    private: isPrivate,
  });

/** Writes the folder to disk, asks libtorrent, and returns its answer with our torrents in `orders(walk)` parsed back. */
const askLibtorrent = (
  name: string,
  files: Array<[string, number]>,
  isPrivate: boolean,
  ours: (walk: Array<[string, number]>) => Buffer[],
): { lt: LtAnswer; infos: Buffer[] } => {
  requireTool('/usr/bin/python3', 'python3-libtorrent');
  const root = mkdtempSync(join(tmpdir(), 'lt-folder-'));
  try {
    for (const [rel, size] of files) {
      mkdirSync(dirname(join(root, name, rel)), { recursive: true });
      writeFileSync(join(root, name, rel), bytesOf(rel, size), { mode: 0o644 });
    }
    const run = (torrentPaths: string[]): LtAnswer =>
      JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', LT_FOLDER, root, name, String(PIECE), isPrivate ? '1' : '0'], {
          input: JSON.stringify([s3Order(files), torrentPaths]),
          encoding: 'utf8',
        }),
      );
    // The walk order is libtorrent's to tell; strip the folder name to get keys relative to the prefix.
    const walk = run([]).walk.map(([path, size]): [string, number] => [path.slice(name.length + 1), size]);
    const infos = ours(walk);
    const paths = infos.map((info, i) => {
      const path = join(root, `ours-${i}.torrent`);
      writeFileSync(path, buildMetainfo({ info, webSeeds: [], trackers: [] }));
      return path;
    });
    return { lt: { ...run(paths), walk }, infos };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};

describe('buildFolderInfo', () => {
  test('encodes exactly files (in the given order, zero-length included), name, piece length and pieces', () => {
    // Act
    const info = buildFolderInfo({
      name: 'set',
      files: [
        { length: 1, path: ['b'] },
        { length: 0, path: ['a', 'e'] },
      ],
      pieceLength: PIECE,
      pieces: digest(1),
    });

    // Assert
    expect(info.toString('latin1')).toBe(
      `d5:filesld6:lengthi1e4:pathl1:beed6:lengthi0e4:pathl1:a1:eeee4:name3:set12:piece lengthi16384e6:pieces20:${'\x01'.repeat(20)}e`,
    );
  });

  test('adds private: 1 for a private swarm, and nothing when not', () => {
    const fields: FolderInfoFields = { name: 'set', files: [{ length: 1, path: ['a'] }], pieceLength: PIECE, pieces: digest(1) };

    const decoded = (f: FolderInfoFields) => bdecode(buildFolderInfo(f)).value as Record<string, unknown>;

    expect({ private: decoded({ ...fields, private: true }).private, public: 'private' in decoded(fields) }).toEqual({ private: 1, public: false });
  });

  test('round-trips through the decoder and validateTorrent: files, total length, piece count', () => {
    // Arrange
    const files = [
      { length: 40_000, path: ['big.bin'] },
      { length: 0, path: ['empty'] },
      { length: 5, path: ['sub', 'é.txt'] },
    ];
    const info = buildFolderInfo({ name: 'my set', files, pieceLength: PIECE, pieces: Buffer.concat([digest(1), digest(2), digest(3)]) });

    // Act
    const decoded = bdecode(info).value as { files: Array<{ length: number; path: Buffer[] }>; name: Buffer };
    const valid = validateTorrent(buildMetainfo({ info, webSeeds: [], trackers: [] }), { length: 40_005 });

    // Assert
    expect({
      files: decoded.files.map((f) => ({ length: f.length, path: f.path.map((p) => p.toString('utf8')) })),
      name: decoded.name.toString('utf8'),
      valid: { name: valid.name, length: valid.length, pieceCount: valid.pieceCount, files: valid.files, infoBytes: valid.infoBytes.equals(info) },
    }).toEqual({ files, name: 'my set', valid: { name: 'my set', length: 40_005, pieceCount: 3, files, infoBytes: true } });
  });

  test.each<[string, Partial<FolderInfoFields>, string]>([
    ['one piece hash too few', { pieces: digest(1) }, 'expected 2 piece hashes for 16385 bytes, got 1'],
    ['one piece hash too many', { pieces: Buffer.alloc(60) }, 'expected 2 piece hashes for 16385 bytes, got 3'],
    ['pieces that are not whole 20-byte digests', { pieces: Buffer.alloc(41) }, 'pieces must be a multiple of 20 bytes'],
    ['no files', { files: [] }, 'a multi-file torrent needs at least one file'],
    ['a negative length', { files: [{ length: -1, path: ['a'] }] }, 'files[0] has an invalid length -1'],
    ['a fractional length', { files: [{ length: 1.5, path: ['a'] }] }, 'files[0] has an invalid length 1.5'],
    [
      'an empty path',
      {
        files: [
          { length: 1, path: ['a'] },
          { length: 1, path: [] },
        ],
      },
      'files[1] has an empty path',
    ],
  ])('refuses %s', (_label, override, message) => {
    const fields: FolderInfoFields = {
      name: 'set',
      files: [
        { length: 16_384, path: ['a'] },
        { length: 1, path: ['b'] },
      ],
      pieceLength: PIECE,
      pieces: Buffer.alloc(40),
      ...override,
    };

    expect(() => buildFolderInfo(fields)).toThrow(new RangeError(message));
  });

  describe('against libtorrent on the same folder on disk', () => {
    // Pinned so a change of ours or of libtorrent's shows up even where one of them moved.
    const GOLDEN_S3_ORDER = '9dc8c2a12fee5c1cc29d2d1b432ee80bf020a3e2';

    test("gives libtorrent's info-hash for the folder in the order its add_files walks it", () => {
      // Act: libtorrent's add_files keeps the directory's readdir order (not sorted), so build ours in whatever order it found.
      const { lt, infos } = askLibtorrent('my set ü', FOLDER_FILES, false, (walk) => [ourInfo('my set ü', walk, false)]);

      // Assert: the same files (zero-length ones too, no pad files), and the same info-hash in the same order.
      expect({
        walked: [...lt.walk].sort(),
        ours: sha1Hex(infos[0]),
        theirs: lt.walkHash,
        parsedBack: lt.ours[0].hash,
      }).toEqual({ walked: [...FOLDER_FILES].sort(), ours: lt.walkHash, theirs: lt.walkHash, parsedBack: lt.walkHash });
    });

    test.each([false, true])(
      "gives libtorrent's info-hash for the folder in S3 key order (private %s), and libtorrent reads ours back file for file",
      (isPrivate) => {
        // Arrange
        const ordered = s3Order(FOLDER_FILES);

        // Act: libtorrent builds from a file_storage filled in S3 order and hashes the files from disk itself.
        const { lt, infos } = askLibtorrent('my set ü', FOLDER_FILES, isPrivate, () => [ourInfo('my set ü', ordered, isPrivate)]);

        // Assert
        const total = ordered.reduce((sum, [, size]) => sum + size, 0);
        expect({ ours: sha1Hex(infos[0]), parsed: lt.ours[0] }).toEqual({
          ours: lt.givenHash,
          parsed: {
            hash: lt.givenHash,
            name: 'my set ü',
            pieceLength: PIECE,
            pieces: Math.ceil(total / PIECE),
            private: isPrivate,
            files: ordered.map(([rel, size]) => [`my set ü/${rel}`, size]),
          },
        });
        if (!isPrivate) expect(lt.givenHash).toBe(GOLDEN_S3_ORDER);
      },
    );

    test('orders the golden folder by UTF-8 bytes, which neither a sorted tree walk nor UTF-16 order gives', () => {
      const utf16 = FOLDER_FILES.map(([rel]) => rel).sort();

      expect({ utf16Tail: utf16.slice(-2), s3: s3Order(FOLDER_FILES).map(([rel]) => rel) }).toEqual({
        utf16Tail: ['\u{1F600} face.txt', '\uFFFD.bin'],
        s3: ['a.bin', 'b.bin', 'empty', 'mid small.txt', 'sub-x.bin', 'sub.bin', 'sub/deeper/zero', 'sub/deeper/é ü.bin', '\uFFFD.bin', '\u{1F600} face.txt'],
      });
    });
  });
});
