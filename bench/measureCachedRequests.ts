import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { once } from 'node:events';
import { EMBEDDED_ACCOUNT_ID } from '../infra/local/embeddedS3';
import { startLocal, LOCAL_CACHE_BUCKET, type LocalRuntime } from '../infra/local/startLocal';
import { parseKeyRing } from '../lambda/links/keyRing';
import { mintShareLink } from '../lambda/links/shareLinks';
import { cacheObjectKey } from '../lambda/torrents/cache/torrentCache';
import { torrentIdentity } from '../lambda/torrents/torrentIdentity';
import { logger } from '../lambda/observability/logger';
import { headObject } from '../lambda/s3/headObject';
import { presignGetObject } from '../lambda/s3/presignGetObject';
import type { LoadFigures } from '../test/helpers/loadRun';
import { benchConfig, ensureBucket } from './benchConfig';
import { pseudoRandomStream } from './fixtures';
import { firstJsonLine, spawnTs } from './spawnS3';
import { log, MiB, percentile, since } from './stats';

const GEN_BUCKET = 'bench-generate';
const AUTO_BUCKET = 'bench-auto';

export interface Latency {
  p50: number;
  p99: number;
  n: number;
}

export interface CachedRequestsResult {
  /** Sequential GETs (fetch, keep-alive) of a cached torrent, bucket source "generate". */
  torrentGenerate: Latency;
  /** The same with source "auto" (the default: GetObjectTorrent is tried first and refused). */
  torrentAuto: Latency;
  /** Sequential fetches of a presigned GetObject URL of the cached torrent object. */
  plainGetObject: Latency;
  /** The same object with the SDK's GetObject (what the proxy does inside), for reference. */
  sdkGetObject: Latency;
  /** SDK HeadObject of the source object (the proxy's other call on a cache hit), for reference. */
  sdkHeadObject: Latency;
  ratioP50: number;
  ratioP50Auto: number;
  /** SDK HeadObject alone vs the plain fetch: the one S3 call a warm cached request still makes. */
  ratioP50HeadObject: number;
  loadTorrent: LoadFigures;
  loadPlain: LoadFigures;
  ratioRps: number;
  /** Builds started while concurrent requests asked for one uncached version (must be 1 each). */
  buildsSync: number;
  buildsBackground: number;
  concurrentRequests: number;
}

const timeSeq = async (n: number, once: () => Promise<void>): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once();
    out.push(since(t0));
  }
  return out;
};

const latency = (xs: number[]): Latency => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), n: xs.length });

const fetchOk = async (url: string, status = 200): Promise<Response> => {
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== status) throw new Error(`GET ${new URL(url).pathname} answered ${res.status}, expected ${status}`);
  return res;
};

const runLoadChild = async (url: string, status: number, connections: number, seconds: number, infoHash?: string): Promise<LoadFigures> => {
  const child = spawnTs('loadChild.ts', [url, String(status), String(connections), String(seconds), ...(infoHash ? [infoHash] : [])], { stdio: 'inherit' });
  const figures = await firstJsonLine<LoadFigures>(child);
  if (child.exitCode === null) await once(child, 'exit');
  return figures;
};

/**
 * Item 4: the local runtime (this process) against the S3 server (its own
 * process). A cached torrent's latency over `n` sequential GETs vs the same
 * number of plain GetObjects of the cached bytes (both with fetch, one
 * keep-alive connection), req/s of each under a bounded autocannon load (run
 * from a child process), and the number of builds when `concurrent` requests
 * ask at once for a version nobody has cached.
 */
export const measureCachedRequests = async (
  admin: S3Client,
  endpoint: string,
  opts: { dataDir: string; n: number; loadSeconds: number; connections: number; concurrent: number },
): Promise<CachedRequestsResult> => {
  const buckets = [
    { name: GEN_BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, source: 'generate' },
    { name: AUTO_BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, source: 'auto' },
  ];
  for (const b of [...buckets.map((x) => x.name), LOCAL_CACHE_BUCKET]) await ensureBucket(admin, b);
  // Sync builds up to 32 MiB here (default 1 GiB), so the in-flight check can exercise both paths quickly.
  const SYNC_MAX = 32 * MiB;
  const put = async (bucket: string, key: string, size: number, seed: number) =>
    admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: pseudoRandomStream(size, seed), ContentLength: size }));
  await put(GEN_BUCKET, 'cached.bin', 16 * MiB, 11);
  await put(AUTO_BUCKET, 'cached.bin', 16 * MiB, 11);
  await put(GEN_BUCKET, 'concurrent-sync.bin', 24 * MiB, 12);
  await put(GEN_BUCKET, 'concurrent-background.bin', 96 * MiB, 13);

  benchConfig(endpoint); // the embedded server's credentials, for the runtime's own client
  // Per-request logs are formatted as in Lambda but not written (the terminal is not what we measure).
  logger.setSink(() => undefined);
  const rt: LocalRuntime = await startLocal({
    port: 0,
    s3Endpoint: endpoint,
    dataDir: opts.dataDir,
    demo: false,
    env: { SERVED_BUCKETS: JSON.stringify(buckets), CACHE_BUCKET: LOCAL_CACHE_BUCKET, SYNC_GENERATE_MAX_BYTES: String(SYNC_MAX) },
  });
  // Count source-object reads that start at byte 0: one per build (testRuntime.ts's counter trick).
  const firstReads = new Map<string, number>();
  rt.handlers.torrentDeps.s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Key?: string; Range?: string };
      if (context.commandName === 'GetObjectCommand' && input.Bucket !== LOCAL_CACHE_BUCKET && /^bytes=0-/.test(input.Range ?? '')) {
        firstReads.set(input.Key!, (firstReads.get(input.Key!) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchBuildCounter' },
  );
  const ring = parseKeyRing(rt.keysJson);
  const link = (bucket: string, key: string, base = rt.baseUrl) => mintShareLink(ring, { baseUrl: base, bucket, key, exp: Math.floor(Date.now() / 1000) + 3600 }).url;

  try {
    // Warm: the first request builds and caches; the second must come from the cache.
    const genUrl = link(GEN_BUCKET, 'cached.bin');
    const autoUrl = link(AUTO_BUCKET, 'cached.bin');
    for (const url of [genUrl, autoUrl]) {
      await fetchOk(url);
      const res = await fetchOk(url);
      if (res.headers.get('x-torrent-source') !== 'cache') throw new Error(`second request answered from ${res.headers.get('x-torrent-source')}, not the cache`);
    }
    const infoHash = (await fetchOk(genUrl)).headers.get('x-torrent-info-hash')!;

    // The cache entry the proxy reads, addressed exactly as getTorrent does.
    const ref = { bucket: GEN_BUCKET, key: 'cached.bin', expectedOwner: EMBEDDED_ACCOUNT_ID, requesterPays: false };
    const head = await headObject(admin, ref);
    const id = torrentIdentity(ref.bucket, ref.key, head);
    const cacheRef = { bucket: LOCAL_CACHE_BUCKET, key: cacheObjectKey(rt.config.cache.prefix, id), expectedOwner: EMBEDDED_ACCOUNT_ID, requesterPays: false };
    await admin.send(new HeadObjectCommand({ Bucket: cacheRef.bucket, Key: cacheRef.key }));
    const plainUrl = await presignGetObject(admin, cacheRef, 3600);

    // Sequential latency, interleaved in blocks so noise hits every kind alike.
    const gen: number[] = [];
    const auto: number[] = [];
    const plain: number[] = [];
    const sdk: number[] = [];
    const sdkHead: number[] = [];
    const blocks = 4;
    const per = Math.ceil(opts.n / blocks);
    await timeSeq(20, async () => void (await fetchOk(plainUrl))); // warm the connections
    for (let b = 0; b < blocks; b++) {
      plain.push(...(await timeSeq(per, async () => void (await fetchOk(plainUrl)))));
      gen.push(...(await timeSeq(per, async () => void (await fetchOk(genUrl)))));
      auto.push(...(await timeSeq(per, async () => void (await fetchOk(autoUrl)))));
      sdk.push(
        ...(await timeSeq(per, async () => {
          const out = await admin.send(new GetObjectCommand({ Bucket: cacheRef.bucket, Key: cacheRef.key }));
          await out.Body!.transformToByteArray();
        })),
      );
      sdkHead.push(...(await timeSeq(per, async () => void (await admin.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }))))));
    }
    log(`  sequential: torrent p50 ${percentile(gen, 50).toFixed(2)} ms, plain GetObject p50 ${percentile(plain, 50).toFixed(2)} ms`);

    const loadTorrent = await runLoadChild(genUrl, 200, opts.connections, opts.loadSeconds, infoHash);
    const loadPlain = await runLoadChild(plainUrl, 200, opts.connections, opts.loadSeconds);
    log(`  load: torrent ${loadTorrent.rps} req/s (wrong ${loadTorrent.wrong}, errors ${loadTorrent.errors}), plain GetObject ${loadPlain.rps} req/s`);

    // No second build: `concurrent` requests at once for an uncached version, sync path (200 after the
    // build) and background path (202 until built, then polled until 200).
    const syncUrl = link(GEN_BUCKET, 'concurrent-sync.bin');
    const syncAnswers = await Promise.all(Array.from({ length: opts.concurrent }, () => fetch(syncUrl).then(async (r) => (await r.arrayBuffer(), r))));
    const hashes = new Set(syncAnswers.map((r) => `${r.status} ${r.headers.get('x-torrent-info-hash')}`));
    if (hashes.size !== 1 || !syncAnswers.every((r) => r.status === 200)) throw new Error(`concurrent sync requests disagreed: ${[...hashes].join(', ')}`);
    await Promise.all(Array.from({ length: opts.concurrent }, () => fetchOk(syncUrl)));

    const bgUrl = link(GEN_BUCKET, 'concurrent-background.bin');
    const first = await Promise.all(Array.from({ length: opts.concurrent }, () => fetch(bgUrl).then(async (r) => (await r.arrayBuffer(), r.status))));
    const deadline = Date.now() + 60_000;
    let done = first.filter((s) => s === 200).length;
    while (done < opts.concurrent) {
      if (Date.now() > deadline) throw new Error('background build did not finish within 60 s');
      await new Promise((r) => setTimeout(r, 50));
      const polls = await Promise.all(Array.from({ length: opts.concurrent }, () => fetch(bgUrl).then(async (r) => (await r.arrayBuffer(), r.status))));
      done = polls.filter((s) => s === 200).length;
    }
    await Promise.all(Array.from({ length: opts.concurrent }, () => fetchOk(bgUrl)));

    return {
      torrentGenerate: latency(gen),
      torrentAuto: latency(auto),
      plainGetObject: latency(plain),
      sdkGetObject: latency(sdk),
      sdkHeadObject: latency(sdkHead),
      ratioP50: percentile(gen, 50) / percentile(plain, 50),
      ratioP50Auto: percentile(auto, 50) / percentile(plain, 50),
      ratioP50HeadObject: percentile(sdkHead, 50) / percentile(plain, 50),
      loadTorrent,
      loadPlain,
      ratioRps: loadTorrent.rps / loadPlain.rps,
      buildsSync: firstReads.get('concurrent-sync.bin') ?? 0,
      buildsBackground: firstReads.get('concurrent-background.bin') ?? 0,
      concurrentRequests: opts.concurrent,
    };
  } finally {
    logger.setSink((line) => process.stdout.write(line + '\n'));
    await rt.close();
  }
};
