import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { demoBytes } from '../../../infra/local/embeddedS3';
import { buildInfo, buildMetainfo } from '../../../lambda/metainfo/buildMetainfo';
import { hashStream } from '../../../lambda/hashing/hashStream';
import { infoHash, infoHashOfInfo } from '../../../lambda/metainfo/infoHash';

/**
 * Golden info-hashes of demoBytes(100000) named "golden.bin", computed outside
 * this project's code:
 *  - 32 KiB pieces: `mktorrent -l 15 -o out.torrent golden.bin` (mktorrent 1.1,
 *    Debian), read by python3-libtorrent `str(lt.torrent_info(p).info_hash())`.
 *  - 16 KiB pieces: mktorrent 1.1 refuses -l 14 ("must be between 15 and 28"),
 *    so libtorrent 2.0.8 `create_torrent(fs, 16384, flags=v1_only)` +
 *    `set_piece_hashes`, read back the same way.
 */
const GOLDEN = { 32768: 'c38061043a5bc5e2c42ca1827b1634aecad0e7e7', 16384: '559529faebe51de089502dce427ca26fec77ac4d' } as const;
const GOLDEN_SIZE = 100_000;
const MKTORRENT = '/usr/bin/mktorrent';
const PYTHON = '/usr/bin/python3';

const goldenInfo = async (pieceLength: number): Promise<Buffer> => {
  const bytes = demoBytes(GOLDEN_SIZE);
  const { pieces, length } = await hashStream(Readable.from([bytes]), pieceLength);
  return buildInfo({ name: 'golden.bin', length, pieceLength, pieces });
};

const hasLibtorrent = (): boolean => {
  try {
    execFileSync(PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('infoHash', () => {
  test.each([32_768, 16_384] as const)('gives the golden info-hash for demo bytes in %d-byte pieces', async (pieceLength) => {
    // Arrange
    const info = await goldenInfo(pieceLength);

    // Act
    const fromInfo = infoHashOfInfo(info);
    const fromTorrent = infoHash(
      buildMetainfo({ info, webSeeds: ['https://x.example/seed/t/demo/golden.bin'], trackers: ['udp://t.example:1'], creationDate: 1 }),
    );

    // Assert
    expect({ fromInfo, fromTorrent }).toEqual({ fromInfo: GOLDEN[pieceLength], fromTorrent: GOLDEN[pieceLength] });
  });

  (existsSync(MKTORRENT) ? test : test.skip)('matches a torrent mktorrent builds now from the same bytes, info byte for byte', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'golden-'));
    try {
      writeFileSync(join(dir, 'golden.bin'), demoBytes(GOLDEN_SIZE));
      execFileSync(MKTORRENT, ['-l', '15', '-o', 'out.torrent', 'golden.bin'], { cwd: dir, stdio: 'ignore' });
      const theirs = readFileSync(join(dir, 'out.torrent'));

      // Act
      const info = await goldenInfo(32_768);

      // Assert: mktorrent's file carries our exact info bytes, and libtorrent agrees on the hash.
      expect(theirs.indexOf(info)).toBeGreaterThan(0);
      if (hasLibtorrent()) {
        const script = 'import sys, libtorrent as lt; print(str(lt.torrent_info(sys.argv[1]).info_hash()))';
        const libtorrentHash = execFileSync(PYTHON, ['-c', script, join(dir, 'out.torrent')], { encoding: 'utf8' }).trim();
        expect(libtorrentHash).toBe(GOLDEN[32_768]);
      }
      expect(infoHash(theirs)).toBe(GOLDEN[32_768]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hashes the info bytes as sent, even when they are not canonical', () => {
    // Arrange: an info dictionary a strict re-encoder would not reproduce is still hashed as is.
    const infoBytes = Buffer.from('d4:name1:ae');
    const torrent = Buffer.concat([Buffer.from('d4:info'), infoBytes, Buffer.from('e')]);

    // Act
    const hash = infoHash(torrent);

    // Assert
    expect(hash).toBe(createHash('sha1').update(infoBytes).digest('hex'));
  });

  test('refuses a dictionary without info', () => {
    expect(() => infoHash(Buffer.from('d4:name1:ae'))).toThrow(new Error('not a torrent: no info dictionary'));
  });

  test('refuses a list', () => {
    expect(() => infoHash(Buffer.from('ld4:infodeee'))).toThrow(new Error('not a torrent: no info dictionary'));
  });
});
