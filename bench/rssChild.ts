/**
 * Child-process entry for item 3: builds one object's torrent through the
 * S3 endpoint with the Lambda's generator and default settings, and reports
 * its own peak RSS growth over the RSS it had after a warm-up. Run with
 * --expose-gc. Prints one JSON line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { EMBEDDED_ACCOUNT_ID } from '../infra/local/embeddedS3';
import { createS3Client } from '../lambda/s3/createS3Client';
import { headObject } from '../lambda/s3/headObject';
import type { ObjectRef } from '../lambda/s3/objectParams';
import { streamObjectRange } from '../lambda/s3/streamObjectRange';
import { sharedHashPool } from '../lambda/hashing/hashPool';
import { infoHashOfInfo } from '../lambda/metainfo/infoHash';
import { benchConfig, SOURCE_BUCKET } from './benchConfig';
import { runGenerator } from './s3Throughput';

const [endpoint, key] = process.argv.slice(2);
const config = benchConfig(endpoint);
const client = createS3Client(config.s3);
const ref: ObjectRef = { bucket: SOURCE_BUCKET, key, expectedOwner: EMBEDDED_ACCOUNT_ID, requesterPays: false };

/** Peak resident set (VmHWM) in bytes, or undefined off Linux. */
const vmHwm = (): number | undefined => {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

// Warm-up with small allocations only: modules, the S3 connection, one hash worker per core.
const head = await headObject(client, ref);
for await (const chunk of streamObjectRange(client, ref, { start: 0, end: 1024 * 1024 - 1, etag: head.etag })) void chunk;
const pool = sharedHashPool();
const probe = new SharedArrayBuffer(64 * 1024);
await Promise.all(Array.from({ length: pool.size }, () => pool.hash(probe, 0, probe.byteLength)));
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
await new Promise((r) => setTimeout(r, 200));
const baseline = process.memoryUsage.rss();
let hwmReset = false;
try {
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  hwmReset = true;
} catch {
  // not Linux, or not allowed: the polled peak still counts
}
let polledPeak = baseline;
const timer = setInterval(() => {
  polledPeak = Math.max(polledPeak, process.memoryUsage.rss());
}, 5);
const { ms, info } = await runGenerator(client, ref, head, config, key);
clearInterval(timer);
polledPeak = Math.max(polledPeak, process.memoryUsage.rss());
const hwm = hwmReset ? vmHwm() : undefined;
const peak = Math.max(polledPeak, hwm ?? 0);
process.stdout.write(
  `${JSON.stringify({ bytes: head.size, ms, baselineRss: baseline, polledPeakRss: polledPeak, vmHwm: hwm, growth: peak - baseline, infoHash: infoHashOfInfo(info) })}\n`,
);
await pool.close();
