/**
 * The pinned cached torrent path without HTTP: the runtime's torrent handler
 * (middy, streaming mode) called in a loop with the API Gateway event of one
 * version-pinned link whose torrent is cached, its body written to a sink.
 * Prints wall and CPU microseconds per call; run it under the profiler to see
 * what the handler itself spends (no sockets, no HTTP parser, no client):
 *
 *   node --cpu-prof --cpu-prof-dir=bench/.data/prof --import tsx bench/profile-cached-handler.ts [calls]
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EMBEDDED_ACCOUNT_ID, ensureBucket } from '../infra/local/embeddedS3';
import type { PreludeStream } from '../infra/local/lambdaRuntime';
import { LOCAL_CACHE_BUCKET, startLocal } from '../infra/local/startLocal';
import { parseKeyRing } from '../lambda/links/keyRing';
import { pinCachedVersion } from './cachedRequests';
import { createContext } from './harness/context';
import { pseudoRandomStream, putObject, sourceRef } from './harness/fixtures';
import { MiB } from './harness/stats';

const calls = Number(process.argv[2] ?? 20_000);
const WARM_UP = 2000;

const ctx = createContext(join(import.meta.dirname, '.data', `profile-handler-${process.pid}`));
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
    const { url } = await pinCachedVersion(rt, parseKeyRing(rt.keysJson), bucket, 'cached.bin');
    const u = new URL(url);
    const query = Object.fromEntries(u.searchParams);
    // What the local adapter builds for this request, reduced to what the route reads.
    const event = () => ({
      resource: '/torrent/{bucket}/{key+}',
      path: u.pathname,
      httpMethod: 'GET',
      headers: { Host: u.host, 'User-Agent': 'profile', Accept: '*/*' },
      multiValueHeaders: {},
      queryStringParameters: query,
      multiValueQueryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'profile', domainName: u.host, stage: 'local' },
    });
    const context = () => ({ awsRequestId: 'profile', getRemainingTimeInMillis: () => 15 * 60 * 1000 });
    const sink = (): PreludeStream => {
      const stream = new Writable({ write: (_chunk, _enc, cb) => cb() }) as PreludeStream;
      stream.setPrelude = () => undefined;
      return stream;
    };
    const handler = rt.app.handlers.torrentHandler as unknown as (event: unknown, stream: PreludeStream, context: unknown) => Promise<unknown>;
    for (let i = 0; i < WARM_UP; i++) await handler(event(), sink(), context());
    const [t0, cpu0] = [performance.now(), process.cpuUsage()];
    for (let i = 0; i < calls; i++) await handler(event(), sink(), context());
    const cpu = process.cpuUsage(cpu0);
    const wall = ((performance.now() - t0) * 1000) / calls;
    process.stdout.write(`handler: ${wall.toFixed(1)} us wall, ${((cpu.user + cpu.system) / calls).toFixed(1)} us CPU per call (${calls} calls)\n`);
  } finally {
    await rt.close();
  }
} finally {
  await ctx.close();
}
