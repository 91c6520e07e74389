import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import createTorrent from 'create-torrent';
import { pieceBufferCount } from '../lambda/hashing/hashObject';
import { buildInfo } from '../lambda/metainfo/buildMetainfo';
import { choosePieceLength } from '../lambda/metainfo/choosePieceLength';
import { HashPool } from '../lambda/hashing/hashPool';
import { piecesPerBatch } from '../lambda/hashing/pieceBuffers';
import { infoHash, infoHashOfInfo } from '../lambda/metainfo/infoHash';
import { hashFile } from './hashFile';
import { hashShared } from './hashShared';
import { log, max, mbps, median, since } from './stats';

const MKTORRENT = '/usr/bin/mktorrent';
const PYTHON = '/usr/bin/python3';

interface Speed {
  best: number;
  median: number;
}

export interface LocalSourceResult {
  bytes: number;
  pieceLength: number;
  readers: number;
  workers: number;
  /** MB/s. */
  ours: Speed;
  sha1SingleCore: Speed;
  /** The HashPool alone over the bytes in shared memory (no reads): the generator's ceiling here. */
  poolOnly: Speed;
  ratioPoolOnlyVsSha1: number;
  mktorrent?: Speed & { threads: number };
  createTorrent?: Speed;
  ratioVsSha1: number;
  ratioVsMktorrent?: number;
  ratioVsCreateTorrent?: number;
  infoHash: string;
  /** Info-hashes of the same file by the other tools (libtorrent reads them where available). */
  mktorrentInfoHash?: string;
  createTorrentInfoHash?: string;
  infoHashesAgree: boolean;
}

const speed = (xs: number[]): Speed => ({ best: max(xs), median: median(xs) });

/** libtorrent's info-hash of a .torrent file, else our own parser's. */
const independentInfoHash = (path: string): string => {
  if (existsSync(PYTHON)) {
    const out = spawnSync(PYTHON, ['-c', 'import sys, libtorrent as lt; print(lt.torrent_info(sys.argv[1]).info_hash())', path], { encoding: 'utf8' });
    if (out.status === 0) return out.stdout.trim();
  }
  return infoHash(readFileSync(path));
};

/** The file's bytes in one page-aligned SharedArrayBuffer (so the worker pool can hash them in place too). */
const readWhole = async (path: string, size: number): Promise<Buffer> => {
  const mem = Buffer.from(new SharedArrayBuffer(size));
  const fh = await open(path, 'r');
  try {
    for (let off = 0; off < size; ) {
      const { bytesRead } = await fh.read(mem, off, Math.min(64 * 1024 * 1024, size - off), off);
      if (bytesRead === 0) throw new Error('short read');
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return mem;
};

const createTorrentBytes = (path: string, pieceLength: number): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    createTorrent(path, { name: basename(path), pieceLength, announceList: [], createdBy: 'bench', creationDate: 1 }, (err, t) =>
      err ? reject(err) : resolve(Buffer.from(t)),
    ),
  );

/**
 * Item 2: the generator's hashing core (HashPool + PieceBuffers, several
 * positional reads in flight straight into piece slots) over a local file vs
 * single-core SHA-1 of the same bytes already in memory (aligned, one digest
 * per piece), mktorrent -t<cores> and create-torrent on the same file with the
 * same piece length. The file is in the page cache for every contender.
 */
export const measureLocalSource = async (path: string, opts: { runs: number; readers: number; workDir: string }): Promise<LocalSourceResult> => {
  const size = statSync(path).size;
  const mem = await readWhole(path, size);
  const pieceLength = choosePieceLength(size);
  const pool = new HashPool();
  const buffers = pieceBufferCount(pieceLength * piecesPerBatch(pieceLength), opts.readers, pool.size);
  const ours: number[] = [];
  const sha: number[] = [];
  const mk: number[] = [];
  const poolOnly: number[] = [];
  const mkOut = join(opts.workDir, 'mktorrent.torrent');
  const hasMk = existsSync(MKTORRENT);
  let pieces: Buffer = Buffer.alloc(0);
  try {
    await hashFile(path, { pieceLength, readers: opts.readers, buffers, pool }); // warm-up: spawns the workers
    for (let i = 0; i < opts.runs; i++) {
      let t0 = performance.now();
      for (let off = 0; off < size; off += pieceLength) createHash('sha1').update(mem.subarray(off, off + pieceLength)).digest();
      sha.push(mbps(size, since(t0)));

      t0 = performance.now();
      const shared = await hashShared(pool, mem.buffer as SharedArrayBuffer, size, pieceLength, buffers);
      poolOnly.push(mbps(size, since(t0)));

      t0 = performance.now();
      pieces = await hashFile(path, { pieceLength, readers: opts.readers, buffers, pool });
      ours.push(mbps(size, since(t0)));

      if (hasMk) {
        rmSync(mkOut, { force: true }); // mktorrent refuses to overwrite
        t0 = performance.now();
        const r = spawnSync(MKTORRENT, [`-t${pool.size}`, `-l${Math.log2(pieceLength)}`, '-o', mkOut, path], { stdio: 'pipe' });
        mk.push(mbps(size, since(t0)));
        if (r.status !== 0) throw new Error(`mktorrent failed: ${r.stderr}`);
      }
      if (!shared.equals(pieces)) throw new Error('the worker pool and the file generator disagree on piece hashes');
      log(`  local run ${i + 1}/${opts.runs}: ours ${ours[i].toFixed(0)} MB/s, sha1 1-core ${sha[i].toFixed(0)} MB/s, pool only ${poolOnly[i].toFixed(0)} MB/s${hasMk ? `, mktorrent ${mk[i].toFixed(0)} MB/s` : ''}`);
    }
  } finally {
    await pool.close();
  }

  const ct: number[] = [];
  let ctTorrent: Buffer | undefined;
  for (let i = 0; i < Math.min(2, opts.runs); i++) {
    const t0 = performance.now();
    ctTorrent = await createTorrentBytes(path, pieceLength);
    ct.push(mbps(size, since(t0)));
    log(`  create-torrent run ${i + 1}: ${ct[i].toFixed(0)} MB/s`);
  }

  const ourHash = infoHashOfInfo(buildInfo({ name: basename(path), length: size, pieceLength, pieces }));
  let ctHash: string | undefined;
  if (ctTorrent) {
    const ctPath = join(opts.workDir, 'create-torrent.torrent');
    writeFileSync(ctPath, ctTorrent);
    ctHash = independentInfoHash(ctPath);
  }
  const mkHash = hasMk ? independentInfoHash(mkOut) : undefined;
  const oursBest = max(ours);
  return {
    bytes: size,
    pieceLength,
    readers: opts.readers,
    workers: pool.size,
    ours: speed(ours),
    sha1SingleCore: speed(sha),
    poolOnly: speed(poolOnly),
    ratioPoolOnlyVsSha1: max(poolOnly) / max(sha),
    mktorrent: hasMk ? { ...speed(mk), threads: pool.size } : undefined,
    createTorrent: ct.length ? speed(ct) : undefined,
    ratioVsSha1: oursBest / max(sha),
    ratioVsMktorrent: hasMk ? oursBest / max(mk) : undefined,
    ratioVsCreateTorrent: ct.length ? oursBest / max(ct) : undefined,
    infoHash: ourHash,
    mktorrentInfoHash: mkHash,
    createTorrentInfoHash: ctHash,
    infoHashesAgree: (mkHash === undefined || mkHash === ourHash) && (ctHash === undefined || ctHash === ourHash),
  };
};
