/**
 * Item 4: the local runtime (infra/local/startLocal.ts: the Lambda's
 * handlers behind its API Gateway adapter, in this process) against the
 * embedded S3 server (its own process). A cached torrent's latency over
 * sequential GETs (fetch, keep-alive) against plain presigned GetObjects of
 * the cached torrent bytes; req/s of both under a bounded autocannon load
 * from another process; and how many builds start when several requests ask
 * at once for a version nobody has cached (counted on the proxy's own S3
 * client: source reads that start at byte 0, one per build).
 */
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { EMBEDDED_ACCOUNT_ID, ensureBucket } from '../infra/local/embeddedS3';
import { LOCAL_CACHE_BUCKET, startLocal } from '../infra/local/startLocal';
import { parseKeyRing } from '../lambda/links/keyRing';
import { mintShareLink } from '../lambda/links/shareLinks';
import { headObject } from '../lambda/s3/headObject';
import { presignGetObject } from '../lambda/s3/presignGetObject';
import { cacheObjectKey } from '../lambda/torrents/cache/torrentCache';
import { torrentIdentity } from '../lambda/torrents/torrentIdentity';
import type { Measurement } from './harness/context';
import { ratioRow } from './harness/report';
import { pseudoRandomStream, putObject, sourceRef } from './harness/fixtures';
import { loadInChild } from './harness/load';
import { fmt, log, MiB, percentile, timeEach } from './harness/stats';

const N = 400; // sequential requests of each kind, in 4 interleaved blocks
const LOAD = { connections: 10, seconds: 3, maxRequests: 20_000 };
const CONCURRENT = 8;
const GEN = 'bench-generate';
const AUTO = 'bench-auto';

/** GET `url`, body drained. */
const request = async (url: string): Promise<Response> => {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res;
};

/** GET `url`, body drained; throws unless it answered 200. */
const get = async (url: string): Promise<Response> => {
  const res = await request(url);
  if (res.status !== 200) throw new Error(`GET ${new URL(url).pathname} answered ${res.status}`);
  return res;
};

const all = <T>(n: number, fn: () => Promise<T>) => Promise.all(Array.from({ length: n }, fn));

const measurement: Measurement = {
  title: 'cached torrent requests vs plain GetObject; builds under concurrent requests',
  run: async (ctx) => {
    const s3 = await ctx.s3();
    const { admin } = s3;
    const buckets = [
      { name: GEN, source: 'generate' },
      { name: AUTO, source: 'auto' },
    ].map((b) => ({ ...b, expectedOwner: EMBEDDED_ACCOUNT_ID }));
    const put = (bucket: string, key: string, size: number, seed: number) => putObject(admin, sourceRef(key, bucket), pseudoRandomStream(size, seed), size);
    await put(GEN, 'cached.bin', 16 * MiB, 11);
    await put(AUTO, 'cached.bin', 16 * MiB, 11);
    await put(GEN, 'concurrent-sync.bin', 24 * MiB, 12);
    await put(GEN, 'concurrent-background.bin', 96 * MiB, 13);
    await ensureBucket(admin, LOCAL_CACHE_BUCKET);

    s3.config(); // the embedded server's credentials, for the runtime's own client
    const rt = await startLocal({
      port: 0,
      s3Endpoint: s3.endpoint,
      dataDir: `${ctx.workDir}/local`,
      demo: false,
      // Sync builds up to 32 MiB here (default 1 GiB), so both build paths run quickly.
      env: { SERVED_BUCKETS: JSON.stringify(buckets), CACHE_BUCKET: LOCAL_CACHE_BUCKET, SYNC_GENERATE_MAX_BYTES: String(32 * MiB) },
    });
    try {
      const builds = new Map<string, number>();
      rt.app.services.s3.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { Bucket?: string; Key?: string; Range?: string };
          if (context.commandName === 'GetObjectCommand' && input.Bucket !== LOCAL_CACHE_BUCKET && /^bytes=0-/.test(input.Range ?? ''))
            builds.set(input.Key!, (builds.get(input.Key!) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: 'benchBuildCounter' },
      );
      const ring = parseKeyRing(rt.keysJson);
      const link = (bucket: string, key: string) => mintShareLink(ring, { baseUrl: rt.baseUrl, bucket, key, exp: Math.floor(Date.now() / 1000) + 3600 }).url;
      // The first request builds and caches; the second must come from the cache.
      const genUrl = link(GEN, 'cached.bin');
      const autoUrl = link(AUTO, 'cached.bin');
      for (const url of [genUrl, autoUrl]) {
        await get(url);
        const source = (await get(url)).headers.get('x-torrent-source');
        if (source !== 'cache') throw new Error(`the second request answered from ${source}, not the cache`);
      }
      const infoHash = (await get(genUrl)).headers.get('x-torrent-info-hash')!;
      // The cache entry the proxy reads, addressed as the proxy addresses it.
      const ref = sourceRef('cached.bin', GEN);
      const cacheRef = sourceRef(
        cacheObjectKey(
          rt.config.cache.prefix,
          torrentIdentity(ref.bucket, ref.key, await headObject(admin, ref), rt.config.buckets.get(ref.bucket)?.swarm === 'private'),
        ),
        LOCAL_CACHE_BUCKET,
      );
      const plainUrl = await presignGetObject(admin, cacheRef, 3600);

      const kinds = {
        torrent: () => get(genUrl),
        auto: () => get(autoUrl),
        plain: () => get(plainUrl),
        sdkGet: async () => (await admin.send(new GetObjectCommand({ Bucket: cacheRef.bucket, Key: cacheRef.key }))).Body!.transformToByteArray(),
        sdkHead: () => admin.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key })),
      };
      type Kind = keyof typeof kinds;
      const ms: Record<Kind, number[]> = { torrent: [], auto: [], plain: [], sdkGet: [], sdkHead: [] };
      await timeEach(20, kinds.plain); // warms the connections
      for (let block = 0; block < 4; block++) for (const k of Object.keys(kinds) as Kind[]) ms[k].push(...(await timeEach(N / 4, kinds[k])));
      const p50 = (k: Kind) => percentile(ms[k], 50);
      const p99 = (k: Kind) => percentile(ms[k], 99);
      log(`  sequential: torrent p50 ${fmt.ms(p50('torrent'))}, plain GetObject p50 ${fmt.ms(p50('plain'))}`);

      const loadTorrent = await loadInChild({ url: genUrl, status: 200, header: ['x-torrent-info-hash', infoHash], ...LOAD });
      const loadPlain = await loadInChild({ url: plainUrl, status: 200, ...LOAD });
      log(`  load: torrent ${loadTorrent.rps} req/s (wrong ${loadTorrent.wrong}, errors ${loadTorrent.errors}), plain GetObject ${loadPlain.rps} req/s`);

      // Sync path: every concurrent request waits for the one build and gets the same torrent; then as many once cached.
      const syncUrl = link(GEN, 'concurrent-sync.bin');
      const answers = new Set((await all(CONCURRENT, () => get(syncUrl))).map((r) => r.headers.get('x-torrent-info-hash')));
      if (answers.size !== 1) throw new Error(`concurrent sync requests got ${answers.size} different torrents`);
      await all(CONCURRENT, () => get(syncUrl));
      // Background path: 202 until built, polled (as many at once) until every answer is 200; at most 60 s.
      const bgUrl = link(GEN, 'concurrent-background.bin');
      for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 50))) {
        if ((await all(CONCURRENT, () => request(bgUrl))).every((r) => r.status === 200)) break;
        if (Date.now() > deadline) throw new Error('the background build did not finish within 60 s');
      }
      const [buildsSync, buildsBackground] = [builds.get('concurrent-sync.bin') ?? 0, builds.get('concurrent-background.bin') ?? 0];

      const latency = Object.fromEntries((Object.keys(ms) as Kind[]).map((k) => [k, { p50: p50(k), p99: p99(k), n: N }]));
      const inMs = { show: fmt.ms };
      return [
        {
          ...ratioRow(`cached torrent GET p50, source "generate" (fetch, sequential, n=${N})`, p50('torrent'), p50('plain'), {
            ...inMs,
            label: ' presigned GetObject of the cached bytes (fetch)',
            atMost: 1.5,
          }),
          data: { latency, loadTorrent, loadPlain },
        },
        ratioRow('same, p99', p99('torrent'), p99('plain'), inMs),
        ratioRow('cached torrent GET p50, source "auto" (default; GetObjectTorrent tried first)', p50('auto'), p50('plain'), { ...inMs, atMost: 1.5 }),
        ratioRow('floor: SDK HeadObject alone (the one S3 call a warm cached request still makes, to learn the version)', p50('sdkHead'), p50('plain'), {
          ...inMs,
          label: `; SDK GetObject of the cached bytes ${fmt.ms(p50('sdkGet'))}`,
        }),
        {
          what: `req/s, ${LOAD.connections} connections x ${LOAD.seconds} s (autocannon, own process)`,
          ours: `${loadTorrent.rps} req/s (p99 ${loadTorrent.p99} ms, wrong ${loadTorrent.wrong + loadTorrent.errors})`,
          baseline: `${loadPlain.rps} req/s presigned GetObject`,
          ratio: loadTorrent.rps / loadPlain.rps,
          target: 'no errors',
          pass: loadTorrent.wrong + loadTorrent.errors + loadTorrent.timeouts === 0,
        },
        {
          what: `builds for ${CONCURRENT} concurrent requests of one uncached version, then ${CONCURRENT} more once cached (sync / background 202 path)`,
          ours: `${buildsSync} / ${buildsBackground}`,
          baseline: '',
          target: '1 / 1',
          pass: buildsSync === 1 && buildsBackground === 1,
        },
      ];
    } finally {
      await rt.close();
    }
  },
};

export default measurement;
