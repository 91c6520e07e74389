/**
 * Profiles the version-pinned cached torrent path (bench item 4's pinned row)
 * on its own: the local runtime in this process, s3rver in a child, and
 * autocannon in another child firing `--requests` at one pinned link whose
 * torrent is cached. Run it under the profiler:
 *
 *   node --cpu-prof --cpu-prof-dir=bench/.data/prof --import tsx bench/profile-cached.ts [--requests 20000] [--connections 10]
 *
 * It prints req/s, the proxy's CPU time per request and how many commands its
 * S3 client sent during the load (0 on the pinned path), then the same load's
 * req/s and CPU per request in the S3 server's process for a plain GET of an
 * object of the torrent's size; the .cpuprofile names where the time went.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_ACCOUNT_ID, ensureBucket } from '../infra/local/embeddedS3';
import { LOCAL_CACHE_BUCKET, startLocal } from '../infra/local/startLocal';
import { parseKeyRing } from '../lambda/links/keyRing';
import { presignGetObject } from '../lambda/s3/presignGetObject';
import { createContext } from './harness/context';
import { pseudoRandomStream, putObject, sourceRef } from './harness/fixtures';
import { loadInChild } from './harness/load';
import { pinCachedVersion } from './cachedRequests';
import { MiB } from './harness/stats';

/** CPU seconds (user + system) process `pid` has used so far (Linux). */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const requests = arg('requests', 20_000);
const connections = arg('connections', 10);

const ctx = createContext(join(import.meta.dirname, '.data', `profile-${process.pid}`));
try {
  const s3 = await ctx.s3();
  const bucket = 'bench-generate';
  await putObject(s3.admin, sourceRef('cached.bin', bucket), pseudoRandomStream(16 * MiB, 11), 16 * MiB);
  await ensureBucket(s3.admin, LOCAL_CACHE_BUCKET);
  s3.config();
  const rt = await startLocal({
    port: 0,
    s3Endpoint: s3.endpoint,
    dataDir: `${ctx.workDir}/local`,
    demo: false,
    env: { SERVED_BUCKETS: JSON.stringify([{ name: bucket, source: 'generate', expectedOwner: EMBEDDED_ACCOUNT_ID }]), CACHE_BUCKET: LOCAL_CACHE_BUCKET },
  });
  try {
    const ring = parseKeyRing(rt.keysJson);
    const { url, infoHash, bytes } = await pinCachedVersion(rt, ring, bucket, 'cached.bin');
    let sent = 0;
    rt.app.services.s3.middlewareStack.add(
      (next) => async (args) => {
        sent++;
        return next(args);
      },
      { step: 'initialize', name: 'profileCommandCounter' },
    );
    const cpu0 = process.cpuUsage();
    const load = await loadInChild({ url, status: 200, header: ['x-torrent-info-hash', infoHash], connections, seconds: 60, maxRequests: requests });
    const cpu = process.cpuUsage(cpu0);
    const proxyUs = Math.round((cpu.user + cpu.system) / load.requests);
    process.stdout.write(`pinned: ${JSON.stringify({ ...load, s3Commands: sent, cpuMicrosPerRequest: proxyUs })}\n`);
    // The baseline's cost in the S3 server's process: a plain GET of an object of the torrent's size.
    const plainRef = sourceRef(`plain-${bytes}.bin`, bucket);
    await putObject(s3.admin, plainRef, pseudoRandomStream(bytes, 14), bytes);
    const plainUrl = await presignGetObject(s3.admin, plainRef, 3600);
    const before = cpuSeconds(s3.pid);
    const plain = await loadInChild({ url: plainUrl, status: 200, connections, seconds: 60, maxRequests: requests });
    const serverUs = Math.round(((cpuSeconds(s3.pid) - before) * 1e6) / plain.requests);
    process.stdout.write(`plain: ${JSON.stringify({ ...plain, cpuMicrosPerRequest: serverUs })}\n`);
  } finally {
    await rt.close();
  }
} finally {
  await ctx.close();
}
