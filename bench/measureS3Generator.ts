import type { S3Client } from '@aws-sdk/client-s3';
import { EMBEDDED_ACCOUNT_ID } from '../infra/local/embeddedS3';
import type { Config } from '../lambda/config';
import { headObject } from '../lambda/s3/headObject';
import type { ObjectRef } from '../lambda/s3/objectParams';
import { infoHashOfInfo } from '../lambda/metainfo/infoHash';
import { SOURCE_BUCKET } from './benchConfig';
import { withCpu, type CpuSpan } from './cpuTime';
import { drainRanged, drainSingle, runGenerator } from './s3Throughput';
import { log, max, mbps, median } from './stats';

export interface ModeFigures {
  /** MB/s, best and median of the runs. */
  best: number;
  median: number;
  /** Core-seconds per GiB in the best run: this process (and its hash workers), and the S3 server. */
  cpuPerGiB: CpuSpan;
}

export interface S3GeneratorResult {
  bytes: number;
  runs: number;
  generator: ModeFigures;
  rangedRead: ModeFigures;
  singleRead: ModeFigures;
  /** Best generator over best ranged read (same parts, same client). */
  ratio: number;
  infoHash: string;
}

const figures = (runs: Array<{ mbps: number; cpu: CpuSpan }>, bytes: number): ModeFigures => {
  const best = runs.reduce((a, b) => (b.mbps > a.mbps ? b : a));
  const perGiB = 2 ** 30 / bytes;
  return {
    best: best.mbps,
    median: median(runs.map((r) => r.mbps)),
    cpuPerGiB: { own: best.cpu.own * perGiB, store: best.cpu.store === undefined ? undefined : best.cpu.store * perGiB },
  };
};

/**
 * Item 1: generateInfo through the embedded S3 server (its own process,
 * `storePid`) vs draining the same bytes with the same client and the same
 * ranged-parallel reads (READ_CONCURRENCY x READ_PART_BYTES parts); a single
 * whole-object GetObject stream is measured too, for reference. Runs are
 * interleaved so machine noise hits every mode alike; CPU time of both
 * processes is recorded, since the store shares this machine's cores.
 */
export const measureS3Generator = async (client: S3Client, config: Config, key: string, runs: number, storePid?: number): Promise<S3GeneratorResult> => {
  const ref: ObjectRef = { bucket: SOURCE_BUCKET, key, expectedOwner: EMBEDDED_ACCOUNT_ID, requesterPays: false };
  const head = await headObject(client, ref);
  const gen: Array<{ mbps: number; cpu: CpuSpan }> = [];
  const ranged: typeof gen = [];
  const single: typeof gen = [];
  let infoHash = '';
  // One unmeasured pass warms the page cache, the connection pool and the hash workers.
  await runGenerator(client, ref, head, config, key);
  for (let i = 0; i < runs; i++) {
    const r = await withCpu(storePid, () => drainRanged(client, ref, head, config));
    ranged.push({ mbps: mbps(head.size, r.value), cpu: r.cpu });
    const g = await withCpu(storePid, () => runGenerator(client, ref, head, config, key));
    gen.push({ mbps: mbps(head.size, g.value.ms), cpu: g.cpu });
    infoHash = infoHashOfInfo(g.value.info);
    const s = await withCpu(storePid, () => drainSingle(client, ref, head));
    single.push({ mbps: mbps(head.size, s.value), cpu: s.cpu });
    log(`  s3 run ${i + 1}/${runs}: generator ${gen[i].mbps.toFixed(0)} MB/s, ranged read ${ranged[i].mbps.toFixed(0)} MB/s, single read ${single[i].mbps.toFixed(0)} MB/s`);
  }
  const result = {
    bytes: head.size,
    runs,
    generator: figures(gen, head.size),
    rangedRead: figures(ranged, head.size),
    singleRead: figures(single, head.size),
    ratio: max(gen.map((g) => g.mbps)) / max(ranged.map((r) => r.mbps)),
    infoHash,
  };
  const cpu = (m: ModeFigures) => `${m.cpuPerGiB.own.toFixed(2)} here + ${m.cpuPerGiB.store?.toFixed(2) ?? '?'} store`;
  log(`  core-seconds per GiB: generator ${cpu(result.generator)}; ranged read ${cpu(result.rangedRead)}`);
  return result;
};
