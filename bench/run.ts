/**
 * `npm run bench`: every figure of issue #6 in one run, each as a ratio
 * against a baseline measured in this run on the same bytes. Progress goes to
 * stderr; the summary table to stdout; everything to bench/.data/results.json.
 *
 *   npm run bench                 # all items (~2 min on 2 cores; ~7 GiB of temporary disk)
 *   npm run bench -- --only 2,5   # some items
 *
 * Items 1, 3 and 4 run the embedded S3 server (s3rver) in its own process, as
 * a real store would be: it does not share the generator's event loop (it
 * does share the machine's cores, as the load generator of item 4 does).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { s3ClientFor } from '../infra/local/embeddedS3';
import { createS3Client } from '../lambda/s3/createS3Client';
import { benchConfig, putStream, SOURCE_BUCKET } from './benchConfig';
import { writeFixture } from './fixtures';
import { machineInfo } from './machine';
import { measureBundles, type BundlesResult } from './measureBundles';
import { measureCachedRequests, type CachedRequestsResult } from './measureCachedRequests';
import { measureLocalSource, type LocalSourceResult } from './measureLocalSource';
import { measurePeakRss, type PeakRssResult } from './measurePeakRss';
import { measureS3Generator, type S3GeneratorResult } from './measureS3Generator';
import { markdownTable, misses, type Row } from './report';
import { spawnEmbeddedS3, type S3Process } from './spawnS3';
import { GiB, log, round, since } from './stats';

const DATA = fileURLToPath(new URL('.data/', import.meta.url));
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? new Set(process.argv[i + 1].split(',').map(Number)) : undefined;
})();
const wanted = (item: number) => !only || only.has(item);

const SMALL = 1 * GiB;
const LARGE = 4 * GiB;

const main = async () => {
  const started = performance.now();
  const machine = machineInfo();
  log(`${machine.cpu}, ${machine.cores} cores${machine.shaNi ? ' (SHA-NI)' : ''}, node ${machine.node}, load ${machine.loadAvg1m}`);
  mkdirSync(DATA, { recursive: true });
  const work = join(DATA, `run-${process.pid}`);
  mkdirSync(work, { recursive: true });
  let s3: S3Process | undefined;
  const cleanup = () => {
    s3?.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const results: {
    s3Generator?: S3GeneratorResult;
    localSource?: LocalSourceResult;
    peakRss?: PeakRssResult;
    cachedRequests?: CachedRequestsResult;
    bundles?: BundlesResult;
  } = {};
  try {
    const file = join(work, 'bench-1gib.bin');
    if (wanted(1) || wanted(2)) {
      const t0 = performance.now();
      await writeFixture(file, SMALL);
      log(`wrote ${SMALL / GiB} GiB fixture (AES-128-CTR keystream) in ${(since(t0) / 1000).toFixed(1)} s`);
    }
    if (wanted(2)) {
      log('item 2: generator on a local file vs single-core SHA-1, mktorrent, create-torrent');
      results.localSource = await measureLocalSource(file, { runs: 5, readers: benchConfig('http://127.0.0.1').readConcurrency, workDir: work });
    }
    if (wanted(1) || wanted(3) || wanted(4)) {
      s3 = await spawnEmbeddedS3(join(work, 's3'));
      const config = benchConfig(s3.endpoint);
      // The Lambda's own client (timeouts, retries) for what is measured; the embedded server's admin client for setup.
      const client = createS3Client(config.s3);
      const admin = s3ClientFor(s3.endpoint);
      if (wanted(1)) {
        log('item 1: generator through the embedded S3 server vs plain reads');
        const size = statSync(file).size;
        await putStream(admin, SOURCE_BUCKET, 'bench-1gib.bin', createReadStream(file), size);
        results.s3Generator = await measureS3Generator(client, config, 'bench-1gib.bin', 4, s3.child.pid);
        await admin.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: 'bench-1gib.bin' }));
      }
      rmSync(file, { force: true });
      if (wanted(4)) {
        log('item 4: cached torrent requests vs plain GetObject; builds under concurrent requests');
        results.cachedRequests = await measureCachedRequests(admin, s3.endpoint, { dataDir: join(work, 'local'), n: 400, loadSeconds: 3, connections: 10, concurrent: 8 });
      }
      if (wanted(3)) {
        log(`item 3: peak RSS growth while building a ${LARGE / GiB} GiB object's torrent`);
        results.peakRss = await measurePeakRss(admin, s3.endpoint, LARGE);
      }
      client.destroy();
      admin.destroy();
      await s3.close();
      s3 = undefined;
    }
    if (wanted(5)) {
      log('item 5: bundle sizes and module init time');
      results.bundles = await measureBundles(join(work, 'bundles'), 7);
    }
  } finally {
    cleanup();
  }

  const rows = toRows(results);
  const table = markdownTable(rows);
  const missed = misses(rows);
  const out = { machine, durationSeconds: round(since(started) / 1000, 1), date: new Date().toISOString(), rows, misses: missed, results };
  writeFileSync(join(DATA, 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(
    `\n${machine.cpu}, ${machine.cores} cores${machine.shaNi ? ' with SHA-NI' : ''}, ${machine.memGiB} GiB, node ${machine.node}, ${machine.os}; ` +
      `load average ${machine.loadAvg1m} at start; ${out.durationSeconds} s\n\n${table}\n\n` +
      (missed.length ? `Targets missed: ${missed.map((r) => `${r.item} ${r.what}`).join('; ')}\n` : 'All targets met.\n') +
      `JSON: ${join(DATA, 'results.json')}\n`,
  );
};

const mb = (x: number) => `${x.toFixed(0)} MB/s`;
const ms = (x: number) => `${x.toFixed(2)} ms`;
const kib = (x: number) => `${(x / 1024).toFixed(0)} KiB`;

const toRows = (r: {
  s3Generator?: S3GeneratorResult;
  localSource?: LocalSourceResult;
  peakRss?: PeakRssResult;
  cachedRequests?: CachedRequestsResult;
  bundles?: BundlesResult;
}): Row[] => {
  const rows: Row[] = [];
  const g = r.s3Generator;
  if (g) {
    rows.push({
      item: '1',
      what: `generator through embedded S3, ${g.bytes / GiB} GiB`,
      ours: mb(g.generator.best),
      baseline: `${mb(g.rangedRead.best)} ranged GetObject drain, same client & parts`,
      ratio: g.ratio,
      target: '>= 0.8x',
      pass: g.ratio >= 0.8,
    });
    const cores = (c: { own: number; store?: number }) => `${c.own.toFixed(2)} + ${c.store?.toFixed(2) ?? '?'} store`;
    const total = (c: { own: number; store?: number }) => c.own + (c.store ?? 0);
    rows.push({
      item: '1',
      what: 'CPU core-seconds per GiB: this process (hash workers included) + the S3 server process',
      ours: cores(g.generator.cpuPerGiB),
      baseline: `${cores(g.rangedRead.cpuPerGiB)} (ranged drain)`,
      ratio: total(g.generator.cpuPerGiB) / total(g.rangedRead.cpuPerGiB),
    });
    rows.push({
      item: '1',
      what: 'generator vs one whole-object GetObject stream',
      ours: mb(g.generator.best),
      baseline: `${mb(g.singleRead.best)} single GetObject drain`,
      ratio: g.generator.best / g.singleRead.best,
    });
  }
  const l = r.localSource;
  if (l) {
    rows.push({
      item: '2',
      what: `generator, local file ${l.bytes / GiB} GiB (${l.workers} workers, ${l.readers} reads in flight)`,
      ours: mb(l.ours.best),
      baseline: `${mb(l.sha1SingleCore.best)} single-core SHA-1 in memory`,
      ratio: l.ratioVsSha1,
      target: '>= 1.6x',
      pass: l.ratioVsSha1 >= 1.6,
    });
    rows.push({
      item: '2',
      what: `diagnostic: HashPool alone, bytes already in shared memory (no reads), ${l.workers} workers`,
      ours: mb(l.poolOnly.best),
      baseline: `${mb(l.sha1SingleCore.best)} single-core SHA-1 in memory`,
      ratio: l.ratioPoolOnlyVsSha1,
    });
    if (l.mktorrent && l.ratioVsMktorrent !== undefined) {
      rows.push({
        item: '2',
        what: 'same, vs mktorrent on the same file',
        ours: mb(l.ours.best),
        baseline: `${mb(l.mktorrent.best)} mktorrent -t${l.mktorrent.threads}`,
        ratio: l.ratioVsMktorrent,
        target: '>= 1.0x',
        pass: l.ratioVsMktorrent >= 1,
      });
    }
    if (l.createTorrent && l.ratioVsCreateTorrent !== undefined) {
      rows.push({ item: '2', what: 'same, vs create-torrent (npm)', ours: mb(l.ours.best), baseline: `${mb(l.createTorrent.best)} create-torrent`, ratio: l.ratioVsCreateTorrent });
    }
    const s3Agrees = !g || g.infoHash === l.infoHash;
    rows.push({
      item: '2',
      what: `info-hash equal to mktorrent's and create-torrent's${g ? ' and the S3 path\'s' : ''} (piece ${l.pieceLength / 1024} KiB)`,
      ours: l.infoHash.slice(0, 12),
      baseline: `${l.mktorrentInfoHash?.slice(0, 12) ?? '-'} / ${l.createTorrentInfoHash?.slice(0, 12) ?? '-'}${g ? ` / ${g.infoHash.slice(0, 12)}` : ''}`,
      target: 'equal',
      pass: l.infoHashesAgree && s3Agrees,
    });
  }
  const p = r.peakRss;
  if (p) {
    rows.push({
      item: '3',
      what: `peak RSS growth building ${p.bytes / GiB} GiB through embedded S3 (at ${mb(p.generatorMBps)})`,
      ours: `${p.growthMiB.toFixed(1)} MiB`,
      baseline: `${p.baselineMiB.toFixed(1)} MiB RSS after warm-up`,
      ratio: (p.baselineMiB + p.growthMiB) / p.baselineMiB,
      target: '<= 128 MiB growth',
      pass: p.growthMiB <= 128,
    });
  }
  const c = r.cachedRequests;
  if (c) {
    rows.push({
      item: '4',
      what: `cached torrent GET p50, source "generate" (fetch, sequential, n=${c.torrentGenerate.n})`,
      ours: ms(c.torrentGenerate.p50),
      baseline: `${ms(c.plainGetObject.p50)} presigned GetObject of the cached bytes (fetch)`,
      ratio: c.ratioP50,
      target: '<= 1.5x',
      pass: c.ratioP50 <= 1.5,
    });
    rows.push({
      item: '4',
      what: 'same, p99',
      ours: ms(c.torrentGenerate.p99),
      baseline: ms(c.plainGetObject.p99),
      ratio: c.torrentGenerate.p99 / c.plainGetObject.p99,
    });
    rows.push({
      item: '4',
      what: 'cached torrent GET p50, source "auto" (default; GetObjectTorrent tried first)',
      ours: ms(c.torrentAuto.p50),
      baseline: ms(c.plainGetObject.p50),
      ratio: c.ratioP50Auto,
      target: '<= 1.5x',
      pass: c.ratioP50Auto <= 1.5,
    });
    rows.push({
      item: '4',
      what: 'floor: SDK HeadObject alone (the one S3 call a warm cached request still makes, to learn the version)',
      ours: ms(c.sdkHeadObject.p50),
      baseline: `${ms(c.plainGetObject.p50)}; SDK GetObject of the cached bytes ${ms(c.sdkGetObject.p50)}`,
      ratio: c.ratioP50HeadObject,
    });
    rows.push({
      item: '4',
      what: `req/s, ${c.loadTorrent.connections} connections x ${c.loadTorrent.durationSeconds} s (autocannon, own process)`,
      ours: `${c.loadTorrent.rps} req/s (p99 ${c.loadTorrent.p99} ms, wrong ${c.loadTorrent.wrong + c.loadTorrent.errors})`,
      baseline: `${c.loadPlain.rps} req/s presigned GetObject`,
      ratio: c.ratioRps,
      target: 'no errors',
      pass: c.loadTorrent.wrong + c.loadTorrent.errors + c.loadTorrent.timeouts === 0,
    });
    rows.push({
      item: '4',
      what: `builds for ${c.concurrentRequests} concurrent requests of one uncached version, then ${c.concurrentRequests} more once cached (sync / background 202 path)`,
      ours: `${c.buildsSync} / ${c.buildsBackground}`,
      baseline: '',
      target: '1 / 1',
      pass: c.buildsSync === 1 && c.buildsBackground === 1,
    });
  }
  const b = r.bundles;
  if (b) {
    for (const h of b.handlers) {
      rows.push({
        item: '5',
        what: `${h.name}: bundle size, init time (fresh process, median of ${h.initRuns.length})`,
        ours: `${kib(h.bytes)} (${kib(h.gzipBytes)} gz), ${ms(h.initMs)}`,
        baseline: `${kib(b.clientS3Bundle.bytes)} (${kib(b.clientS3Bundle.gzipBytes)} gz), ${ms(b.clientS3Bundle.initMs)} bundled client-s3 alone`,
        ratio: h.ratio,
      });
    }
    rows.push({
      item: '5',
      what: 'torrentHandler init without --enable-source-maps; client-s3 from node_modules (unbundled)',
      ours: ms(b.torrentInitNoSourceMapsMs),
      baseline: `${ms(b.clientS3NodeModulesMs)} import('@aws-sdk/client-s3')`,
      ratio: b.torrentInitNoSourceMapsMs / b.clientS3NodeModulesMs,
    });
  }
  return rows;
};

await main();
