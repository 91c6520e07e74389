/**
 * Item 3: peak RSS growth of a fresh process (run with --expose-gc) while the
 * Lambda's generator (lambda/torrents/generateInfo.ts, default settings, a
 * HashPool of one worker per core) builds a 4 GiB object's torrent through
 * the embedded S3 server, against that process's own RSS after a warm-up
 * (modules loaded, one S3 read, every hash worker spawned). The peak is the
 * larger of RSS polled every 5 ms and VmHWM (reset after the warm-up).
 * The object is streamed up (AES-CTR keystream, no local file) and deleted after.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync, writeFileSync } from 'node:fs';
import { HashPool } from '../lambda/hashing/hashPool';
import { createS3Client } from '../lambda/s3/createS3Client';
import { headObject } from '../lambda/s3/headObject';
import { streamObjectRange } from '../lambda/s3/streamObjectRange';
import { runInChild } from './harness/child';
import type { Measurement } from './harness/context';
import { benchConfig, generateWith, pseudoRandomStream, putObject, sourceRef } from './harness/fixtures';
import { fmt, GiB, log, mbps, since } from './harness/stats';

const SIZE = 4 * GiB;

interface BuildReport {
  bytes: number;
  ms: number;
  baselineRss: number;
  peakRss: number;
  vmHwm?: number;
}

/** VmHWM (peak resident set) in bytes; undefined off Linux. */
const vmHwm = (): number | undefined => {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

/** The child's side: warm up, then build `key`'s torrent and report RSS. */
export const buildAndReport = async (endpoint: string, key: string): Promise<BuildReport> => {
  const config = benchConfig(endpoint);
  const client = createS3Client(config.s3);
  const ref = sourceRef(key);
  const pool = new HashPool();
  try {
    const head = await headObject(client, ref);
    for await (const chunk of streamObjectRange(client, ref, { start: 0, end: 1024 * 1024 - 1, etag: head.etag })) void chunk;
    const probe = new SharedArrayBuffer(64 * 1024);
    await Promise.all(Array.from({ length: pool.size }, () => pool.digestPieces(probe, 0, probe.byteLength, probe.byteLength)));
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
    const baselineRss = process.memoryUsage.rss();
    let hwmReset = true;
    try {
      writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    } catch {
      hwmReset = false; // not Linux, or not allowed: the polled peak still counts
    }
    let peakRss = baselineRss;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
    const t0 = performance.now();
    await generateWith(config, client, ref, head, pool);
    const ms = since(t0);
    clearInterval(timer);
    return { bytes: head.size, ms, baselineRss, peakRss: Math.max(peakRss, process.memoryUsage.rss()), vmHwm: hwmReset ? vmHwm() : undefined };
  } finally {
    await pool.close();
    client.destroy();
  }
};

const measurement: Measurement = {
  title: `peak RSS growth while building a ${SIZE / GiB} GiB object's torrent`,
  run: async (ctx) => {
    const s3 = await ctx.s3();
    const ref = sourceRef(`bench-${SIZE / GiB}gib.bin`);
    const t0 = performance.now();
    await putObject(s3.admin, ref, pseudoRandomStream(SIZE, 4), SIZE);
    log(`  uploaded ${SIZE / GiB} GiB in ${(since(t0) / 1000).toFixed(1)} s`);
    try {
      const child = await runInChild<BuildReport>(import.meta.url, 'buildAndReport', [s3.endpoint, ref.key], { nodeArgs: ['--expose-gc'] });
      await child.stop();
      const r = child.value;
      const growth = Math.max(r.peakRss, r.vmHwm ?? 0) - r.baselineRss;
      return [
        {
          what: `peak RSS growth building ${r.bytes / GiB} GiB through embedded S3 (at ${fmt.mbps(mbps(r.bytes, r.ms))})`,
          ours: fmt.mib(growth),
          baseline: `${fmt.mib(r.baselineRss)} RSS after warm-up`,
          ratio: (r.baselineRss + growth) / r.baselineRss,
          target: '<= 128 MiB growth',
          pass: growth <= 128 * 2 ** 20,
          data: { ...r },
        },
      ];
    } finally {
      await s3.admin.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    }
  },
};

export default measurement;
