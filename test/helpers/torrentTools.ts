/**
 * Independent checks of torrents: piece hashes recomputed with plain SHA-1
 * over the object bytes, and info-hashes from libtorrent (python3-libtorrent),
 * never from our own code.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdecode, isDict, type BDict } from '../../lambda/metainfo/bencode';

export const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();

/** Piece hashes of `bytes`, computed directly. */
export const expectedPieces = (bytes: Buffer, pieceLength: number): Buffer => {
  const out: Buffer[] = [];
  for (let off = 0; off < bytes.length; off += pieceLength) out.push(sha1(bytes.subarray(off, off + pieceLength)));
  return Buffer.concat(out);
};

export const decodeTorrent = (bytes: Buffer): { top: BDict; info: BDict } => {
  const { value } = bdecode(bytes);
  if (!isDict(value) || !isDict(value.info)) throw new Error('not a torrent');
  return { top: value, info: value.info };
};

export const requireTool = (path: string, pkg: string) => {
  try {
    execFileSync('test', ['-x', path]);
  } catch {
    throw new Error(`${path} is missing: install Debian package ${pkg} (.ci/run does this)`);
  }
};

const LT_INFO_HASH = `
import sys, libtorrent as lt
for p in sys.argv[1:]:
    print(str(lt.torrent_info(p).info_hash()))
`;

/** Info-hashes of .torrent files as libtorrent computes them. */
export const libtorrentInfoHashes = (paths: string[]): string[] =>
  execFileSync('/usr/bin/python3', ['-c', LT_INFO_HASH, ...paths], { encoding: 'utf8' })
    .trim()
    .split('\n');

const LT_CREATE = `
import sys, os, libtorrent as lt
path, piece, priv = sys.argv[1], int(sys.argv[2]), sys.argv[3] == '1'
fs = lt.file_storage()
lt.add_files(fs, path)
t = lt.create_torrent(fs, piece, flags=lt.create_torrent.v1_only)
t.set_priv(priv)
lt.set_piece_hashes(t, os.path.dirname(path))
info = lt.torrent_info(lt.bencode(t.generate()))
print(str(info.info_hash()))
`;

/**
 * Builds a v1 torrent of `bytes` named `name` with an independent creator
 * (libtorrent's create_torrent, v1 only, same piece length, no trackers) and
 * returns its info-hash (BEP 27 private when asked). mktorrent would do, but it refuses pieces under 32 KiB.
 */
export const independentInfoHashes = (files: Array<{ name: string; bytes: Buffer; pieceLength: number; private?: boolean }>): string[] => {
  requireTool('/usr/bin/python3', 'python3-libtorrent');
  const dir = mkdtempSync(join(tmpdir(), 'lt-create-'));
  try {
    return files.map((f, i) => {
      const sub = join(dir, String(i));
      mkdirSync(sub);
      writeFileSync(join(sub, f.name), f.bytes);
      return execFileSync('/usr/bin/python3', ['-c', LT_CREATE, join(sub, f.name), String(f.pieceLength), f.private ? '1' : '0'], { encoding: 'utf8' }).trim();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** HTTP GET of a raw path (fetch would normalise `%2E%2E` and other odd encodings before sending). */
export const rawRequest = (
  baseUrl: string,
  rawPath: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> =>
  new Promise((ok, fail) => {
    const u = new URL(baseUrl);
    const req = httpRequest({ host: u.hostname, port: u.port, path: rawPath, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
