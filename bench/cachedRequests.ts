/**
 * Item 4: the local runtime (infra/local/startLocal.ts: the Lambda's
 * handlers behind its API Gateway adapter, in this process) against the
 * embedded S3 server (its own process). The goal rows measure a
 * version-pinned link's cached torrent, which needs no S3 call (asserted: the
 * proxy's S3 client sends 0 commands while those requests run), against a
 * plain presigned GetObject of an object of exactly the torrent's size on the
 * same server: p50 over sequential GETs (fetch, keep-alive), and req/s under
 * the same bounded autocannon load from another process (interleaved rounds,
 * medians). Extra rows: unpinned
 * links (one HeadObject per request, to learn the version), the HeadObject
 * floor, and how many builds start when several requests ask at once for a
 * version nobody has cached (counted on the proxy's own S3 client: source
 * reads that start at byte 0, one per build).
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { EMBEDDED_ACCOUNT_ID, ensureBucket } from '../infra/local/embeddedS3';
import { LOCAL_CACHE_BUCKET, startLocal, type LocalRuntime } from '../infra/local/startLocal';
import { parseKeyRing, type KeyRing } from '../lambda/links/keyRing';
import { mintShareLink } from '../lambda/links/shareLinks';
import { headObject } from '../lambda/s3/headObject';
import { presignGetObject } from '../lambda/s3/presignGetObject';
import { torrentIdentity } from '../lambda/torrents/torrentIdentity';
import type { Measurement } from './harness/context';
import { pseudoRandomStream, putObject, sourceRef } from './harness/fixtures';
import { loadInChild, type LoadFigures } from './harness/load';
import { ratioRow } from './harness/report';
import { fmt, log, MiB, percentile, timeEach } from './harness/stats';

const N = 400; // sequential requests of each kind, in 4 interleaved blocks
const LOAD = { connections: 10, seconds: 3, maxRequests: 20_000 };
const LOAD_ROUNDS = 3;
const CONCURRENT = 8;
const GEN = 'bench-generate';
const AUTO = 'bench-auto';
/** The goals of issue 14 item 3, against a plain GET of an object of the torrent's size. */
const P50_AT_MOST = 1.2;
const RPS_AT_LEAST = 0.8;
/**
 * The VersionId the pinned link names. s3rver keeps no versions, so the pinned cache entry is
 * written the way a versioned store's first request for the link writes it (TorrentBuilds.rememberPinned).
 */
export const PINNED_VERSION = 'bench-pinned-v1';

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

/** CPU seconds (user + system, all threads) process `pid` has used so far; NaN off Linux. */
const cpuSeconds = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};

/** The round with the median req/s, its errors and wrong answers summed over every round (each must be 0). */
const medianLoad = (xs: LoadFigures[]): LoadFigures => {
  const mid = [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
  const sum = (k: 'errors' | 'timeouts' | 'wrong') => xs.reduce((n, x) => n + x[k], 0);
  return { ...mid, requests: xs.reduce((n, x) => n + x.requests, 0), errors: sum('errors'), timeouts: sum('timeouts'), wrong: sum('wrong') };
};

const all = <T>(n: number, fn: () => Promise<T>) => Promise.all(Array.from({ length: n }, fn));

/**
 * A version-pinned share link of `bucket/key` whose torrent the runtime has cached: the unpinned
 * link's request builds it, then the proxy's own TorrentBuilds makes it findable by PINNED_VERSION.
 * Answers the link, its torrent's info-hash and size.
 */
export const pinCachedVersion = async (rt: LocalRuntime, ring: KeyRing, bucket: string, key: string) => {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  await get(mintShareLink(ring, { baseUrl: rt.baseUrl, bucket, key, exp }).url);
  const { builds, config, logger, s3 } = rt.app.services;
  const id = torrentIdentity(bucket, key, await headObject(s3, sourceRef(key, bucket)), config.buckets.get(bucket)?.swarm === 'private');
  const info = await builds.cached(id, logger);
  if (!info) throw new Error(`the torrent of ${bucket}/${key} is not cached`);
  await builds.rememberPinned({ ...id, versionId: PINNED_VERSION }, info, logger);
  const url = mintShareLink(ring, { baseUrl: rt.baseUrl, bucket, key, exp, version: PINNED_VERSION }).url;
  const res = await get(url);
  if (res.headers.get('x-torrent-source') !== 'cache') throw new Error(`the pinned link answered from ${res.headers.get('x-torrent-source')}, not the cache`);
  return { url, infoHash: res.headers.get('x-torrent-info-hash')!, bytes: Number(res.headers.get('content-length')) };
};

const measurement: Measurement = {
  title: 'cached torrent requests (version-pinned: no S3 call) vs a plain GetObject of an object of the same size; builds under concurrent requests',
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
      // Every command the proxy's S3 client sends, by what was being measured when it was sent.
      let measuring = 'setup';
      const commands = new Map<string, number>();
      rt.app.services.s3.middlewareStack.add(
        (next, context) => async (args) => {
          commands.set(measuring, (commands.get(measuring) ?? 0) + 1);
          const input = args.input as { Bucket?: string; Key?: string; Range?: string };
          if (context.commandName === 'GetObjectCommand' && input.Bucket !== LOCAL_CACHE_BUCKET && /^bytes=0-/.test(input.Range ?? ''))
            builds.set(input.Key!, (builds.get(input.Key!) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: 'benchCommandCounter' },
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
      const pinned = await pinCachedVersion(rt, ring, GEN, 'cached.bin');
      const unpinnedBytes = Number((await get(genUrl)).headers.get('content-length'));
      // The baseline: an object of exactly the pinned torrent's size, on the same server.
      const plainRef = sourceRef(`plain-${pinned.bytes}.bin`, GEN);
      await putObject(admin, plainRef, pseudoRandomStream(pinned.bytes, 14), pinned.bytes);
      const plainUrl = await presignGetObject(admin, plainRef, 3600);
      const ref = sourceRef('cached.bin', GEN);

      const kinds = {
        pinned: () => get(pinned.url),
        torrent: () => get(genUrl),
        auto: () => get(autoUrl),
        plain: () => get(plainUrl),
        sdkHead: () => admin.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key })),
      };
      type Kind = keyof typeof kinds;
      const ms: Record<Kind, number[]> = { pinned: [], torrent: [], auto: [], plain: [], sdkHead: [] };
      await timeEach(20, kinds.plain); // warms the connections
      for (let block = 0; block < 4; block++) {
        for (const k of Object.keys(kinds) as Kind[]) {
          measuring = k;
          ms[k].push(...(await timeEach(N / 4, kinds[k])));
        }
      }
      const p50 = (k: Kind) => percentile(ms[k], 50);
      const p99 = (k: Kind) => percentile(ms[k], 99);
      log(`  sequential: pinned p50 ${fmt.ms(p50('pinned'))}, unpinned p50 ${fmt.ms(p50('torrent'))}, plain GetObject p50 ${fmt.ms(p50('plain'))}`);

      // The same load on each, in LOAD_ROUNDS interleaved rounds (the order rotating), so a burst of
      // other work on the machine falls on one round of one kind, not on a whole figure; medians reported.
      const loads = {
        loadPinned: () => loadInChild({ url: pinned.url, status: 200, header: ['x-torrent-info-hash', pinned.infoHash], ...LOAD }),
        loadPlain: () => loadInChild({ url: plainUrl, status: 200, ...LOAD }),
        loadTorrent: () => loadInChild({ url: genUrl, status: 200, header: ['x-torrent-info-hash', pinned.infoHash], ...LOAD }),
      };
      type LoadKind = keyof typeof loads;
      const rounds: Record<LoadKind, LoadFigures[]> = { loadPinned: [], loadPlain: [], loadTorrent: [] };
      // CPU time per request during each kind's rounds: the proxy's (this process) and the S3 server's process.
      const cpu: Record<LoadKind, { proxy: number; server: number; requests: number }> = {
        loadPinned: { proxy: 0, server: 0, requests: 0 },
        loadPlain: { proxy: 0, server: 0, requests: 0 },
        loadTorrent: { proxy: 0, server: 0, requests: 0 },
      };
      for (let round = 0; round < LOAD_ROUNDS; round++) {
        const order = Object.keys(loads) as LoadKind[];
        for (const k of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
          measuring = k;
          const [proxy0, server0] = [process.cpuUsage(), cpuSeconds(s3.pid)];
          const figures = await loads[k]();
          const proxy = process.cpuUsage(proxy0);
          cpu[k].proxy += (proxy.user + proxy.system) / 1e6;
          cpu[k].server += cpuSeconds(s3.pid) - server0;
          cpu[k].requests += figures.requests;
          rounds[k].push(figures);
        }
      }
      const perRequest = (k: LoadKind) => ({
        proxyMicros: Math.round((cpu[k].proxy * 1e6) / cpu[k].requests),
        serverMicros: Math.round((cpu[k].server * 1e6) / cpu[k].requests),
      });
      log(
        `  CPU per request under load: pinned proxy ${perRequest('loadPinned').proxyMicros} us + S3 server ${perRequest('loadPinned').serverMicros} us; ` +
          `plain GetObject S3 server ${perRequest('loadPlain').serverMicros} us; unpinned proxy ${perRequest('loadTorrent').proxyMicros} us + S3 server ${perRequest('loadTorrent').serverMicros} us`,
      );
      measuring = 'builds';
      const [loadPinned, loadPlain, loadTorrent] = (['loadPinned', 'loadPlain', 'loadTorrent'] as const).map((k) => medianLoad(rounds[k]));
      const show = (k: LoadKind) => rounds[k].map((r) => r.rps).join(' / ');
      log(`  load (req/s per round): pinned ${show('loadPinned')}, plain GetObject ${show('loadPlain')}, unpinned ${show('loadTorrent')}`);
      const s3Calls = (k: string) => commands.get(k) ?? 0;
      const pinnedCalls = s3Calls('pinned') + s3Calls('loadPinned');

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
      const plainLabel = ` presigned GetObject of a ${pinned.bytes} B object (the torrent's size), same server`;
      const rpsRow = (what: string, ours: typeof loadPinned, target?: number) => {
        const ratio = ours.rps / loadPlain.rps;
        const clean = ours.wrong + ours.errors + ours.timeouts === 0;
        return {
          what,
          ours: `${ours.rps} req/s (p99 ${ours.p99} ms, wrong ${ours.wrong + ours.errors + ours.timeouts})`,
          baseline: `${loadPlain.rps} req/s${plainLabel}`,
          ratio,
          target: target === undefined ? 'no errors' : `>= ${target}x, no errors`,
          pass: clean && (target === undefined || ratio >= target),
        };
      };
      return [
        {
          ...ratioRow(`cached torrent GET p50, version-pinned link, no S3 call (fetch, sequential, n=${N})`, p50('pinned'), p50('plain'), {
            ...inMs,
            label: plainLabel,
            atMost: P50_AT_MOST,
          }),
          data: {
            latency,
            loadRounds: rounds,
            cpuPerRequest: Object.fromEntries((Object.keys(cpu) as LoadKind[]).map((k) => [k, perRequest(k)])),
            torrentBytes: pinned.bytes,
            unpinnedBytes,
            s3Commands: Object.fromEntries(commands),
          },
        },
        {
          ...rpsRow(
            `req/s, version-pinned link, ${LOAD.connections} connections x ${LOAD.seconds} s (autocannon, own process), median of ${LOAD_ROUNDS} interleaved rounds`,
            loadPinned,
            RPS_AT_LEAST,
          ),
        },
        {
          what: 'S3 commands the proxy sent during the pinned requests (sequential + load)',
          ours: `${pinnedCalls} (of ${N + loadPinned.requests} requests)`,
          baseline: '',
          target: '0',
          pass: pinnedCalls === 0,
        },
        ratioRow('same, pinned p99', p99('pinned'), p99('plain'), inMs),
        ratioRow(
          `extra: cached torrent GET p50, unpinned link, source "generate" (one HeadObject per request; ${s3Calls('torrent')} S3 calls in ${N})`,
          p50('torrent'),
          p50('plain'),
          inMs,
        ),
        ratioRow('extra: same, unpinned, source "auto" (default; GetObjectTorrent tried first, then HeadObject)', p50('auto'), p50('plain'), inMs),
        ratioRow('floor of the unpinned path: SDK HeadObject alone', p50('sdkHead'), p50('plain'), inMs),
        rpsRow('extra: req/s, unpinned link (one HeadObject per request), same load', loadTorrent),
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
