/**
 * Item 1: the Lambda's generator (lambda/torrents/generateInfo.ts with the
 * deployment's defaults and a HashPool of one worker per core) building the
 * 1 GiB fixture's torrent through the embedded S3 server (its own process),
 * against draining the same bytes with the same client through the same
 * piece-aligned ranged reads (planParts + streamObjectRange, READ_CONCURRENCY
 * in flight, no hashing), and one whole-object GetObject for reference.
 * Runs interleave so machine noise hits every mode alike; the CPU time of
 * this process (hash workers included) and of the store is counted per GiB.
 */
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { HashPool } from '../lambda/hashing/hashPool';
import { infoHashOfInfo } from '../lambda/metainfo/infoHash';
import { choosePieceLength } from '../lambda/metainfo/choosePieceLength';
import { createS3Client } from '../lambda/s3/createS3Client';
import { headObject } from '../lambda/s3/headObject';
import { objectParams } from '../lambda/s3/objectParams';
import { streamObjectRange } from '../lambda/s3/streamObjectRange';
import { planParts } from '../lambda/torrents/hashObject';
import type { Measurement } from './harness/context';
import { generateWith, putObject, sourceRef } from './harness/fixtures';
import { rounds, type Timed } from './harness/machine';
import { ratioRow } from './harness/report';
import { fmt, GiB, mbps, median } from './harness/stats';

const RUNS = 4;

const drain = async (body: AsyncIterable<Uint8Array>): Promise<number> => {
  let n = 0;
  for await (const chunk of body) n += chunk.length;
  return n;
};

const measurement: Measurement = {
  title: 'generator through the embedded S3 server vs plain reads of the same bytes',
  run: async (ctx) => {
    const file = await ctx.fixtureFile();
    const s3 = await ctx.s3();
    const config = s3.config();
    const client = createS3Client(config.s3);
    const ref = sourceRef('bench-1gib.bin');
    await putObject(s3.admin, ref, createReadStream(file), statSync(file).size);
    const pool = new HashPool();
    try {
      const head = await headObject(client, ref);
      const pieceLength = choosePieceLength(head.size);
      const generator = () => generateWith(config, client, ref, head, pool);
      const ranged = async () => {
        const parts = planParts(head.size, pieceLength, config.readPartBytes);
        let next = 0;
        let total = 0;
        const reader = async () => {
          while (next < parts.length) {
            const [start, end] = parts[next++];
            const n = await drain(streamObjectRange(client, ref, { start, end, etag: head.etag, versionId: head.versionId }));
            total += n; // not `total += await ...`: that would read total before the await
          }
        };
        await Promise.all(Array.from({ length: Math.min(config.readConcurrency, parts.length) }, reader));
        return total;
      };
      const single = async () => drain((await client.send(new GetObjectCommand(objectParams(ref)))).Body as Readable);

      await generator(); // unmeasured: warms the page cache, the connections and the hash workers
      const runs = await rounds(RUNS, head.size, { ranged, generator, single }, s3.pid);
      for (const r of [...runs.ranged, ...runs.single]) if (r.value !== head.size) throw new Error(`drained ${String(r.value)} of ${head.size} bytes`);
      ctx.shared.set('fixtureInfoHash:S3 path', infoHashOfInfo(runs.generator[0].value as Buffer));

      // Per mode: best and median MB/s, and the core-seconds per GiB of its fastest run (here, and in the store).
      const summary = (rs: Timed<unknown>[]) => {
        const fastest = rs.reduce((a, b) => (b.ms < a.ms ? b : a));
        const store = fastest.otherCpu === undefined ? undefined : (fastest.otherCpu * GiB) / head.size;
        return { best: mbps(head.size, fastest.ms), median: median(rs.map((r) => mbps(head.size, r.ms))), cpu: (fastest.ownCpu * GiB) / head.size, store };
      };
      const [gen, rng, one] = [summary(runs.generator), summary(runs.ranged), summary(runs.single)];
      const cores = (c: typeof gen) => `${c.cpu.toFixed(2)} + ${c.store?.toFixed(2) ?? '?'} store`;
      return [
        {
          ...ratioRow(`generator through embedded S3, ${head.size / GiB} GiB`, gen.best, rng.best, {
            show: fmt.mbps,
            label: ' ranged GetObject drain, same client & parts',
            atLeast: 0.8,
          }),
          data: { runs: RUNS, generator: gen, rangedRead: rng, singleRead: one },
        },
        {
          what: 'CPU core-seconds per GiB: this process (hash workers included) + the S3 server process',
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
