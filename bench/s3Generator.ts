/**
 * Item 1: the Lambda's generator (lambda/torrents/generateInfo.ts with the
 * deployment's defaults and a HashPool of one worker per core) building the
 * 1 GiB fixture's torrent through the embedded S3 server (its own process),
 * against draining the same bytes with the same client through the same
 * piece-aligned ranged reads (planParts + pipeObjectRange, READ_CONCURRENCY
 * in flight, no hashing), single-core SHA-1 of the same bytes in memory
 * (aligned, no reads), and one whole-object GetObject for reference.
 * Runs interleave so machine noise hits every mode alike; the CPU time of
 * this process (hash workers included) and of the store is counted per GiB.
 *
 * The two goals: the build's core-seconds per GiB at most 1.15x (drain +
 * single-core SHA-1), i.e. little beyond reading and hashing the bytes; and
 * its throughput at least 0.85x the drain's.
 */
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { HashPool } from '../lambda/hashing/hashPool';
import { infoHashOfInfo } from '../lambda/metainfo/infoHash';
import { choosePieceLength } from '../lambda/metainfo/choosePieceLength';
import { createS3Client } from '../lambda/s3/createS3Client';
import { headObject } from '../lambda/s3/headObject';
import { objectParams } from '../lambda/s3/objectParams';
import { drain, drainParts, sha1OneCore } from './harness/baselines';
import type { Measurement } from './harness/context';
import { generateWith, putObject, sourceRef } from './harness/fixtures';
import { rounds, type Timed } from './harness/machine';
import { ratioRow } from './harness/report';
import { fmt, GiB, mbps, median } from './harness/stats';

const RUNS = 4;
/** The build may cost at most this much more CPU than reading the bytes plus hashing them on one core. */
const CPU_OVER_READ_PLUS_SHA1 = 1.15;
const THROUGHPUT_OF_DRAIN = 0.85;

const measurement: Measurement = {
  title: 'generator through the embedded S3 server vs plain reads of the same bytes and single-core SHA-1',
  run: async (ctx) => {
    const file = await ctx.fixtureFile();
    const s3 = await ctx.s3();
    const config = s3.config();
    const client = createS3Client(config.s3);
    const ref = sourceRef('bench-1gib.bin');
    await putObject(s3.admin, ref, createReadStream(file), statSync(file).size);
    // The same bytes in memory for the SHA-1 baseline, in a SharedArrayBuffer like the build's slots.
    const bytes = Buffer.from(new SharedArrayBuffer(statSync(file).size));
    readFileSync(file).copy(bytes);
    const pool = new HashPool();
    try {
      const head = await headObject(client, ref);
      const pieceLength = choosePieceLength(head.size);
      const generator = () => generateWith(config, client, ref, head, pool);
      const ranged = () => drainParts(client, ref, head, config);
      const sha1 = async () => sha1OneCore(bytes, pieceLength);
      const single = async () => drain((await client.send(new GetObjectCommand(objectParams(ref)))).Body as Readable);

      await generator(); // unmeasured: warms the page cache, the connections and the hash workers
      const runs = await rounds(RUNS, head.size, { ranged, generator, sha1, single }, s3.pid);
      for (const r of [...runs.ranged, ...runs.single]) if (r.value !== head.size) throw new Error(`drained ${String(r.value)} of ${head.size} bytes`);
      const built = runs.generator[0].value as Buffer;
      ctx.shared.set('fixtureInfoHash:S3 path', infoHashOfInfo(built));
      const pieces = runs.sha1[0].value as Buffer;
      if (!built.includes(pieces)) throw new Error('the build and single-core SHA-1 disagree on the pieces');

      // Per mode: best and median MB/s, core-seconds per GiB of its fastest run (here, and in the store),
      // and the least core-seconds per GiB of any of its runs (the run least disturbed by the machine's other load).
      const perGiB = (cpu: number) => (cpu * GiB) / head.size;
      const summary = (rs: Timed<unknown>[]) => {
        const fastest = rs.reduce((a, b) => (b.ms < a.ms ? b : a));
        const store = fastest.otherCpu === undefined ? undefined : perGiB(fastest.otherCpu);
        return {
          best: mbps(head.size, fastest.ms),
          median: median(rs.map((r) => mbps(head.size, r.ms))),
          cpu: perGiB(fastest.ownCpu),
          leastCpu: Math.min(...rs.map((r) => perGiB(r.ownCpu))),
          cpuRuns: rs.map((r) => Number(perGiB(r.ownCpu).toFixed(3))),
          store,
        };
      };
      const [gen, rng, sha, one] = [summary(runs.generator), summary(runs.ranged), summary(runs.sha1), summary(runs.single)];
      const cores = (c: typeof gen) => `${c.cpu.toFixed(2)} + ${c.store?.toFixed(2) ?? '?'} store`;
      const readPlusHash = rng.leastCpu + sha.leastCpu;
      return [
        {
          ...ratioRow(`generator through embedded S3, ${head.size / GiB} GiB`, gen.best, rng.best, {
            show: fmt.mbps,
            label: ' ranged GetObject drain, same client & parts',
            atLeast: THROUGHPUT_OF_DRAIN,
          }),
          data: { runs: RUNS, generator: gen, rangedRead: rng, singleRead: one, sha1: sha },
        },
        {
          what: `CPU core-seconds per GiB in this process (hash workers included), least of ${RUNS} runs each: generator vs ranged drain + single-core SHA-1`,
          ours: `${gen.leastCpu.toFixed(2)} core-s/GiB`,
          baseline: `${readPlusHash.toFixed(2)} = ${rng.leastCpu.toFixed(2)} drain + ${sha.leastCpu.toFixed(2)} SHA-1 (one core, bytes in memory)`,
          ratio: gen.leastCpu / readPlusHash,
          target: `<= ${CPU_OVER_READ_PLUS_SHA1}x`,
          pass: gen.leastCpu / readPlusHash <= CPU_OVER_READ_PLUS_SHA1,
          data: { generator: gen.cpuRuns, rangedRead: rng.cpuRuns, sha1: sha.cpuRuns },
        },
        {
          what: 'CPU core-seconds per GiB (fastest run): this process (hash workers included) + the S3 server process',
          ours: cores(gen),
          baseline: `${cores(rng)} (ranged drain)`,
          ratio: (gen.cpu + (gen.store ?? 0)) / (rng.cpu + (rng.store ?? 0)),
        },
        ratioRow('generator vs one whole-object GetObject stream', gen.best, one.best, { show: fmt.mbps, label: ' single GetObject drain' }),
      ];
    } finally {
      await pool.close();
      client.destroy();
      await s3.admin.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    }
  },
};

export default measurement;
