/**
 * Item 2: the Lambda's hashing pipeline without the network: hashStream
 * (lambda/hashing/hashStream.ts, its default PieceBuffers) on a HashPool of
 * one worker per core, fed by a ReadStream of the 1 GiB fixture (page cache
 * warm, 2 MiB chunks: one worker batch per read), against single-core SHA-1
 * of the same pieces with the bytes already in memory (node crypto, aligned
 * buffers). That baseline is one core's ceiling, so the ratio reads as
 * "cores' worth of SHA-1 delivered, file reads and copies included".
 * Diagnostics: the HashPool alone on the bytes in shared memory (the ceiling
 * without reads) and the ReadStream alone (the feed's ceiling). Also
 * mktorrent -t<workers> and create-torrent on the same file and piece
 * length, and their info-hashes (read back by libtorrent) against ours.
 */
import createTorrent from 'create-torrent';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HashPool } from '../lambda/hashing/hashPool';
import { hashStream, type HashedPieces } from '../lambda/hashing/hashStream';
import { piecesPerBatch } from '../lambda/hashing/pieceBuffers';
import { buildInfo } from '../lambda/metainfo/buildMetainfo';
import { choosePieceLength } from '../lambda/metainfo/choosePieceLength';
import { infoHash, infoHashOfInfo } from '../lambda/metainfo/infoHash';
import type { Measurement } from './harness/context';
import { rounds, type Timed } from './harness/machine';
import { ratioRow } from './harness/report';
import { best, fmt, GiB, mbps } from './harness/stats';

const RUNS = 5;
const MKTORRENT = '/usr/bin/mktorrent';
const PYTHON = '/usr/bin/python3';

/** libtorrent's info-hash of a .torrent file (an independent parser), else ours. */
const independentInfoHash = (path: string): string => {
  const script = 'import sys, libtorrent as lt; print(lt.torrent_info(sys.argv[1]).info_hash())';
  const out = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' }) : undefined;
  return out?.status === 0 ? out.stdout.trim() : infoHash(readFileSync(path));
};

const measurement: Measurement = {
  title: 'hashStream over a local file vs single-core SHA-1, mktorrent, create-torrent',
  run: async (ctx) => {
    const path = await ctx.fixtureFile();
    const bytes = readFileSync(path);
    const size = bytes.length;
    const mem = Buffer.from(new SharedArrayBuffer(size)); // so the pool can hash the bytes in place too
    bytes.copy(mem);
    const pieceLength = choosePieceLength(size);
    const batch = pieceLength * piecesPerBatch(pieceLength);
    const pool = new HashPool();
    const feed = () => createReadStream(path, { highWaterMark: batch });
    const mkOut = join(ctx.workDir, 'mktorrent.torrent');
    const ctOut = join(ctx.workDir, 'create-torrent.torrent');
    const contenders: Record<string, () => Promise<unknown>> = {
      ours: () => hashStream(feed(), pieceLength, undefined, { pool }),
      oneCore: async () => {
        for (let off = 0; off < size; off += pieceLength)
          createHash('sha1')
            .update(mem.subarray(off, off + pieceLength))
            .digest();
      },
      // Every batch of pieces already in shared memory, two batches per worker in flight.
      poolOnly: async () => {
        const digests: Buffer[] = [];
        const lane = async (first: number) => {
          for (let i = first; i * batch < size; i += 2 * pool.size) {
            digests[i] = await pool.digestPieces(mem.buffer as SharedArrayBuffer, i * batch, Math.min(batch, size - i * batch), pieceLength);
          }
        };
        await Promise.all(Array.from({ length: 2 * pool.size }, (_, i) => lane(i)));
        return Buffer.concat(digests);
      },
      feedOnly: async () => {
        for await (const chunk of feed()) void chunk;
      },
    };
    if (existsSync(MKTORRENT)) {
      contenders.mktorrent = async () => {
        rmSync(mkOut, { force: true }); // mktorrent refuses to overwrite
        const r = spawnSync(MKTORRENT, [`-t${pool.size}`, `-l${Math.log2(pieceLength)}`, '-o', mkOut, path], { stdio: 'pipe' });
        if (r.status !== 0) throw new Error(`mktorrent failed: ${r.stderr}`);
      };
    }
    let runs: Record<string, Timed<unknown>[]>;
    try {
      await contenders.ours(); // unmeasured: spawns the workers
      runs = await rounds(RUNS, size, contenders);
    } finally {
      await pool.close();
    }
    const ct = await rounds(2, size, {
      createTorrent: async () => {
        const opts = { name: basename(path), pieceLength, announceList: [], createdBy: 'bench', creationDate: 1 };
        writeFileSync(ctOut, await new Promise<Uint8Array>((ok, fail) => createTorrent(path, opts, (err, t) => (err ? fail(err) : ok(t)))));
      },
    });

    const pieces = (runs.ours.at(-1)!.value as HashedPieces).pieces;
    if (!pieces.equals(runs.poolOnly.at(-1)!.value as Buffer)) throw new Error('hashStream and the pool alone disagree on piece hashes');
    const ourHash = infoHashOfInfo(buildInfo({ name: basename(path), length: size, pieceLength, pieces }));
    const others = new Map([...ctx.shared].filter(([k]) => k.startsWith('fixtureInfoHash:')).map(([k, v]) => [k.split(':')[1], v]));
    others.set('create-torrent', independentInfoHash(ctOut));
    if (runs.mktorrent) others.set('mktorrent', independentInfoHash(mkOut));

    const speed = Object.fromEntries(Object.entries({ ...runs, ...ct }).map(([k, v]) => [k, best(v.map((r) => mbps(size, r.ms)))]));
    const oneCore = { show: fmt.mbps, label: " single-core SHA-1 in memory (node crypto: one core's ceiling)" };
    return [
      {
        ...ratioRow(`hashStream over a local file, ${size / GiB} GiB (ReadStream, ${pool.size} hash workers)`, speed.ours, speed.oneCore, {
          ...oneCore,
          atLeast: 1.6,
        }),
        data: { pieceLength, workers: pool.size, bestMBps: speed },
      },
      ratioRow(`diagnostic: HashPool alone, bytes already in shared memory (no reads), ${pool.size} workers`, speed.poolOnly, speed.oneCore, oneCore),
      ratioRow('diagnostic: the feed alone (the same ReadStream drained, no hashing)', speed.feedOnly, speed.oneCore, oneCore),
      ...(runs.mktorrent
        ? [
            ratioRow('same hashStream, vs mktorrent on the same file', speed.ours, speed.mktorrent, {
              show: fmt.mbps,
              label: ` mktorrent -t${pool.size}`,
              atLeast: 1,
            }),
          ]
        : []),
      ratioRow('same hashStream, vs create-torrent (npm)', speed.ours, speed.createTorrent, { show: fmt.mbps, label: ' create-torrent' }),
      {
        what: `info-hash equal to ${[...others.keys()].join(', ')} (piece ${pieceLength / 1024} KiB)`,
        ours: ourHash.slice(0, 12),
        baseline: [...others.values()].map((h) => h.slice(0, 12)).join(' / '),
        target: 'equal',
        pass: [...others.values()].every((h) => h === ourHash),
        data: { infoHash: ourHash, others: Object.fromEntries(others) },
      },
    ];
  },
};

export default measurement;
