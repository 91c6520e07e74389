/**
 * Not a bench item: one build of the 1 GiB fixture's torrent through the
 * embedded S3 server in its own process (as item 1 runs it), for a profiler.
 * Prints the build's MB/s and this process's core-seconds per GiB, beside a
 * ranged drain of the same parts and single-core SHA-1 of the same bytes.
 *
 *   npx tsx bench/profileBuild.ts [build|drain|both] [runs] [profile.cpuprofile]
 *
 * With a third argument, the main thread's CPU profile of the measured runs
 * (not the upload or the warm-up) is written there, for Chrome DevTools or
 * `npx tsx bench/profileSummary.ts <file>`.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { HashPool } from '../lambda/hashing/hashPool';
import { choosePieceLength } from '../lambda/metainfo/choosePieceLength';
import { createS3Client } from '../lambda/s3/createS3Client';
import { headObject } from '../lambda/s3/headObject';
import { createContext } from './harness/context';
import { generateWith, putObject, sourceRef, writeFixture } from './harness/fixtures';
import { drainParts, sha1OneCore } from './harness/baselines';
import { timed } from './harness/machine';
import { GiB, mbps } from './harness/stats';

const mode = process.argv[2] ?? 'both';
const runs = Number(process.argv[3] ?? 1);
const profileTo = process.argv[4];
const DATA = fileURLToPath(new URL('.data/', import.meta.url));
const ctx = createContext(join(DATA, `profile-${process.pid}`));
const fixture = join(DATA, 'profile-1gib.bin');
if (!existsSync(fixture)) await writeFixture(fixture, GiB);
try {
  const s3 = await ctx.s3();
  const config = s3.config();
  const client = createS3Client(config.s3);
  const ref = sourceRef('bench-1gib.bin');
  await putObject(s3.admin, ref, createReadStream(fixture), statSync(fixture).size);
  const head = await headObject(client, ref);
  const pool = new HashPool();
  // Main-thread GC pauses by kind (1 scavenge, 2 mark-compact, 4 incremental, 8 weak callbacks), reset per run.
  const gc = new Map<number, { n: number; ms: number }>();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail: { kind: number } }).detail.kind;
      const g = gc.get(kind) ?? { n: 0, ms: 0 };
      g.n++;
      g.ms += e.duration;
      gc.set(kind, g);
    }
  }).observe({ entryTypes: ['gc'] });
  const show = (name: string, t: { ms: number; ownCpu: number; otherCpu?: number }) => {
    const gcs = [...gc].map(([k, g]) => `kind ${k}: ${g.n} in ${g.ms.toFixed(0)} ms`).join(', ');
    gc.clear();
    process.stderr.write(
      `${name}: ${mbps(head.size, t.ms).toFixed(0)} MB/s, ${((t.ownCpu * GiB) / head.size).toFixed(2)} core-s/GiB here, ${(((t.otherCpu ?? 0) * GiB) / head.size).toFixed(2)} in the store; GC ${gcs}\n`,
    );
  };
  await generateWith(config, client, ref, head, pool); // warm-up
  const session = new Session();
  if (profileTo) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  for (let i = 0; i < runs; i++) {
    gc.clear();
    if (mode !== 'drain') show('build', await timed(() => generateWith(config, client, ref, head, pool), s3.pid));
    if (mode !== 'build') show('drain', await timed(() => drainParts(client, ref, head, config), s3.pid));
  }
  if (profileTo) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
    session.disconnect();
  }
  if (mode === 'both') {
    const mem = Buffer.from(new SharedArrayBuffer(head.size));
    readFileSync(fixture).copy(mem);
    show('sha1 one core', await timed(async () => sha1OneCore(mem, choosePieceLength(head.size))));
  }
  await pool.close();
  await s3.admin.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  client.destroy();
} finally {
  await ctx.close();
}
