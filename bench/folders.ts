/**
 * Item 9: the folder build through the embedded S3 server (its own process)
 * against the single-object build of the same bytes. The folder build is
 * what FolderTorrents times: listObjects (ListObjectsV2, every page) into
 * folderManifest, hashFolder (the single-object pipeline, hashFiles, over the
 * files' concatenation: READ_CONCURRENCY piece-aligned parts at once, small
 * files read ahead of each part's hasher) and buildFolderInfo. The baseline is one object
 * holding the folder's files concatenated in key order, built by
 * generateInfo as item 1 builds it (HeadObject, then the deployment's
 * defaults: 4 reads of 8 MiB in flight), on the same HashPool and with the
 * same piece length (choosePieceLength of the total). Two folders: 1,000
 * files of 64 KiB (exactly one listing page: s3rver's continuation tokens
 * fail under Node 20's OpenSSL 3 unless it runs with --openssl-legacy-provider),
 * and 8 files of 64 MiB. Runs interleave; correctness is checked on every
 * run: the folder's piece digests must equal those inside the concatenated
 * object's info dictionary (same bytes, same piece length). The 1,000-file
 * build is bound by its 1,000 GetObjects (the object needs one per 8 MiB), so
 * it gets a second baseline in the same rounds: its request floor, the same
 * listing and the same 1,000 pinned GetObjects drained at the build's most
 * reads in flight (READ_CONCURRENCY × (SMALL_READS_AHEAD + 1)), no hashing.
 */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createCipheriv } from 'node:crypto';
import { ensureBucket } from '../infra/local/embeddedS3';
import { HashPool } from '../lambda/hashing/hashPool';
import { bdecode, isDict } from '../lambda/metainfo/bencode';
import { buildFolderInfo } from '../lambda/metainfo/buildMetainfo';
import { choosePieceLength } from '../lambda/metainfo/choosePieceLength';
import { createLogger } from '../lambda/observability/logger';
import { folderManifest } from '../lambda/policy/folderManifest';
import { createS3Client } from '../lambda/s3/createS3Client';
import { headObject } from '../lambda/s3/headObject';
import { listObjects } from '../lambda/s3/listObjects';
import { streamObjectRange } from '../lambda/s3/streamObjectRange';
import { SMALL_READS_AHEAD } from '../lambda/torrents/hashFiles';
import { hashFolder } from '../lambda/torrents/hashFolder';
import type { Measurement } from './harness/context';
import { generateWith, pseudoRandomStream, putObject, SOURCE_BUCKET, sourceRef } from './harness/fixtures';
import { rounds, type Timed } from './harness/machine';
import { ratioRow, type Row } from './harness/report';
import { fmt, GiB, log as benchLog, mbps, median, MiB, since, timeEach } from './harness/stats';

const KiB = 1024;
const LISTINGS = 10;
const UPLOADS_IN_FLIGHT = 8;

interface Folder {
  label: string;
  prefix: string;
  files: number;
  fileSize: number;
  seed: number;
  runs: number;
}

const FOLDERS: Folder[] = [
  { label: '1,000 files of 64 KiB', prefix: 'bench-folders/small/', files: 1000, fileSize: 64 * KiB, seed: 9, runs: 5 },
  { label: '8 files of 64 MiB', prefix: 'bench-folders/large/', files: 8, fileSize: 64 * MiB, seed: 10, runs: 4 },
];

/** Bytes [offset, offset + length) of pseudoRandomStream(…, seed): AES-CTR's counter starts at offset / 16 (offset a multiple of 16). */
const keystreamAt = (seed: number, offset: number, length: number): Buffer => {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(offset / 16), 8);
  return createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), iv).update(Buffer.alloc(length));
};

/** Runs `fn` over 0..n-1, `width` at a time. */
const eachLimited = async (n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
};

/** Counts every command `client` sends, by name (ListObjectsV2, GetObject, HeadObject). */
const countSends = (client: S3Client): Map<string, number> => {
  const sends = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = (context.commandName ?? '?').replace(/Command$/, '');
      sends.set(name, (sends.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchFolderSends' },
  );
  return sends;
};

const piecesOfInfo = (info: Buffer): Buffer => {
  const d = bdecode(info).value;
  if (!isDict(d) || !Buffer.isBuffer(d.pieces)) throw new Error('info dictionary without pieces');
  return d.pieces;
};

const measurement: Measurement = {
  title: 'folder build (listObjects + folderManifest + hashFolder) vs the single-object build of the concatenated bytes, embedded S3',
  run: async (ctx) => {
    const s3 = await ctx.s3();
    const config = s3.config();
    const client = createS3Client(config.s3);
    const sends = countSends(client);
    const pool = new HashPool();
    const log = createLogger({ level: 'SILENT' });
    const { key: _key, ...base } = sourceRef('');
    const rows: Row[] = [];
    await ensureBucket(s3.admin, SOURCE_BUCKET);
    try {
      for (const f of FOLDERS) {
        const total = f.files * f.fileSize;
        const keys = Array.from({ length: f.files }, (_, i) => `${f.prefix}${String(i).padStart(5, '0')}.bin`);
        const single = sourceRef(`${f.prefix.slice(0, -1)}.bin`); // beside the prefix, so not listed under it
        const t0 = performance.now();
        await eachLimited(f.files, UPLOADS_IN_FLIGHT, (i) =>
          s3.admin.send(
            new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: keys[i], Body: keystreamAt(f.seed, i * f.fileSize, f.fileSize), ContentLength: f.fileSize }),
          ),
        );
        await putObject(s3.admin, single, pseudoRandomStream(total, f.seed), total);
        benchLog(`  put ${f.label} and their concatenation in ${(since(t0) / 1000).toFixed(1)} s`);

        const pieceLength = choosePieceLength(total);
        const folder = async () => {
          const listed = await listObjects(client, base, f.prefix, { maxKeys: config.folders.maxFiles + 1000 });
          const m = folderManifest(f.prefix, listed, config.folders);
          if (m.files.length !== f.files || m.totalSize !== total) throw new Error(`listed ${m.files.length} files, ${m.totalSize} bytes`);
          const pl = choosePieceLength(m.totalSize);
          const pieces = await hashFolder(client, base, m.files, {
            pieceLength: pl,
            concurrency: config.readConcurrency,
            partBytes: config.readPartBytes,
            pool,
            log,
          });
          buildFolderInfo({ name: m.name, files: m.files.map((x) => ({ length: x.size, path: x.path })), pieceLength: pl, pieces });
          return pieces;
        };
        const object = async () => generateWith(config, client, single, await headObject(client, single), pool);
        // The request floor of a folder of small files: its listing and its GetObjects, drained at the build's most reads in flight.
        const inFlight = config.readConcurrency * (SMALL_READS_AHEAD + 1);
        const requests = async () => {
          const listed = await listObjects(client, base, f.prefix, { maxKeys: config.folders.maxFiles + 1000 });
          const m = folderManifest(f.prefix, listed, config.folders);
          let bytes = 0;
          await eachLimited(m.files.length, inFlight, async (i) => {
            const file = m.files[i];
            for await (const chunk of streamObjectRange(client, { ...base, key: file.key }, { start: 0, end: file.size - 1, etag: file.etag }))
              bytes += chunk.length;
          });
          if (bytes !== total) throw new Error(`drained ${bytes} of ${total} bytes`);
          return bytes;
        };
        const floor = f.files >= 1000;

        await folder(); // unmeasured: warms the page cache, the connections and the hash workers
        await object();
        if (floor) await requests();
        sends.clear();
        const runs = await rounds(f.runs, total, floor ? { folder, object, requests } : { folder, object }, s3.pid);
        const perRun = Object.fromEntries([...sends].map(([k, v]) => [k, v / f.runs]));

        // Same bytes, same piece length: the folder's digests are those inside the concatenated object's info dictionary, on every run.
        const reference = piecesOfInfo(runs.object[0].value as Buffer);
        const identical =
          reference.length === Math.ceil(total / pieceLength) * 20 &&
          runs.object.every((r) => piecesOfInfo(r.value as Buffer).equals(reference)) &&
          runs.folder.every((r) => (r.value as Buffer).equals(reference));

        const summary = (rs: Timed<unknown>[]) => {
          const fastest = rs.reduce((a, b) => (b.ms < a.ms ? b : a));
          return {
            best: mbps(total, fastest.ms),
            median: median(rs.map((r) => mbps(total, r.ms))),
            medianMs: median(rs.map((r) => r.ms)),
            cpuPerGiB: (fastest.ownCpu * GiB) / total,
            storeCpuPerGiB: fastest.otherCpu === undefined ? undefined : (fastest.otherCpu * GiB) / total,
          };
        };
        const [fol, obj] = [summary(runs.folder), summary(runs.object)];
        // Each round's folder run against the object run right after it: the ratio least exposed to drifting load.
        const pairedRatios = runs.folder.map((r, i) => runs.object[i].ms / r.ms);
        rows.push({
          ...ratioRow(
            `folder build, ${f.label} (${fmt.mib(total)}, ${fmt.kib(pieceLength)} pieces), through embedded S3; best vs best (round by round, median ${median(pairedRatios).toFixed(2)}x)`,
            fol.best,
            obj.best,
            {
              show: fmt.mbps,
              label: ` one ${fmt.mib(total)} object, generateInfo (${config.readConcurrency} × ${config.readPartBytes / MiB} MiB reads)`,
              atLeast: 0.8,
            },
          ),
          data: { runs: f.runs, pairedRatios, pieceLength, files: f.files, fileSize: f.fileSize, folder: fol, object: obj, callsPerRound: perRun },
        });
        if (floor) {
          const req = summary(runs.requests);
          const pairedFloor = runs.folder.map((r, i) => runs.requests[i].ms / r.ms);
          rows.push({
            ...ratioRow(
              `folder build, ${f.label}, against its request floor; best vs best (round by round, median ${median(pairedFloor).toFixed(2)}x)`,
              fol.best,
              req.best,
              { show: fmt.mbps, label: ` the same listing + ${f.files} pinned GetObjects drained, ${inFlight} in flight, no hashing` },
            ),
            data: { runs: f.runs, pairedRatios: pairedFloor, inFlight, folder: fol, requests: req },
          });
        }
        const cores = (c: typeof fol) => `${c.cpuPerGiB.toFixed(2)} + ${c.storeCpuPerGiB?.toFixed(2) ?? '?'} store`;
        rows.push({
          what: `CPU core-seconds per GiB, ${f.label}: this process (hash workers included) + the S3 server process`,
          ours: cores(fol),
          baseline: `${cores(obj)} (single object)`,
          ratio: (fol.cpuPerGiB + (fol.storeCpuPerGiB ?? 0)) / (obj.cpuPerGiB + (obj.storeCpuPerGiB ?? 0)),
        });
        rows.push({
          what: `folder pieces = pieces of the concatenated object, ${f.label} (every run)`,
          ours: identical ? `identical pieces (${reference.length / 20} × SHA-1)` : 'DIFFERENT pieces',
          baseline: 'generateInfo info dict of the concatenation',
          target: 'identical',
          pass: identical,
        });

        if (f.files >= 1000) {
          sends.clear();
          let keysListed = 0;
          const listMs = await timeEach(LISTINGS, async () => {
            keysListed = (await listObjects(client, base, f.prefix, { maxKeys: config.folders.maxFiles + 1000 })).length;
          });
          const listCalls = (sends.get('ListObjectsV2') ?? 0) / LISTINGS;
          const headMs = await timeEach(LISTINGS, () => headObject(client, single));
          const [list, head] = [median(listMs), median(headMs)];
          rows.push({
            what: `listing the ${f.files}-key folder (listObjects, median of ${LISTINGS}; ${((100 * list) / fol.medianMs).toFixed(1)}% of the folder build's median)`,
            ours: `${fmt.ms(list)}, ${listCalls} ListObjectsV2 call${listCalls === 1 ? '' : 's'} for ${keysListed} keys`,
            baseline: `${fmt.ms(head)} HeadObject of the single object`,
            ratio: list / head,
            data: { listMs, headMs, listCalls, keysListed, folderBuildMedianMs: fol.medianMs },
          });
        }

        await eachLimited(f.files, UPLOADS_IN_FLIGHT, (i) => s3.admin.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: keys[i] })));
        await s3.admin.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: single.key }));
      }
      return rows;
    } finally {
      await pool.close();
      client.destroy();
    }
  },
};

export default measurement;
