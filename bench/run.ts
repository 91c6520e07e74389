/**
 * `npm run bench`: every figure in one run, each as a ratio
 * against a baseline measured in this run on the same bytes. Progress goes
 * to stderr; the summary table to stdout; rows and machine to
 * bench/.data/results.json.
 *
 *   npm run bench                 # all items (~7 min on 2 cores; ~7 GiB of temporary disk)
 *   npm run bench -- --only 2,5   # some items
 *
 * Items 6 and 7 run real libtorrent clients (scripts/lt_swarm.py): they need
 * /usr/bin/python3 with python3-libtorrent.
 *
 * A measurement is one module whose default export is a Measurement
 * (harness/context.ts); add a figure by adding a module and a line below.
 * Modules load only when their item runs, so one item that cannot load or
 * fails is reported as a missed row and the others still run.
 */
// Before any Lambda code loads (children inherit them): the proxy's logs and metrics are not what is measured.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, type Measurement } from './harness/context';
import { machineInfo } from './harness/machine';
import { markdownTable, type Row } from './harness/report';
import { log, since } from './harness/stats';

const MEASUREMENTS: Record<number, () => Promise<{ default: Measurement }>> = {
  1: () => import('./s3Generator'),
  2: () => import('./localFile'),
  3: () => import('./peakRss'),
  4: () => import('./cachedRequests'),
  5: () => import('./bundles'),
  6: () => import('./swarmEgress'),
  7: () => import('./loneClient'),
  8: () => import('./announceLatency'),
  9: () => import('./folders'),
  10: () => import('./localRuntime'),
};

const DATA = fileURLToPath(new URL('.data/', import.meta.url));
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set(process.argv[onlyArg + 1].split(',').map(Number)) : undefined;

const started = performance.now();
const machine = machineInfo();
log(`${machine.cpu}, ${machine.cores} cores${machine.shaNi ? ' (SHA-NI)' : ''}, node ${machine.node}, load ${machine.loadAvg1m}`);
mkdirSync(DATA, { recursive: true });
const ctx = createContext(join(DATA, `run-${process.pid}`));
process.once('SIGINT', () => void ctx.close().finally(() => process.exit(130)));
const rows: Row[] = [];
try {
  for (const [item, load] of Object.entries(MEASUREMENTS)) {
    if (only && !only.has(Number(item))) continue;
    try {
      const m = (await load()).default;
      log(`item ${item}: ${m.title}`);
      for (const row of await m.run(ctx)) rows.push({ item: Number(item), ...row });
    } catch (err) {
      log(`item ${item} failed: ${(err as Error).stack ?? String(err)}`);
      rows.push({ item: Number(item), what: `failed: ${(err as Error).message.split('\n')[0]}`, ours: '', baseline: '', pass: false });
    }
  }
} finally {
  await ctx.close();
}

const durationSeconds = Math.round(since(started) / 100) / 10;
const missed = rows.filter((r) => r.pass === false);
writeFileSync(join(DATA, 'results.json'), `${JSON.stringify({ machine, durationSeconds, date: new Date().toISOString(), rows, misses: missed }, null, 2)}\n`);
process.stdout.write(
  `\n${machine.cpu}, ${machine.cores} cores${machine.shaNi ? ' with SHA-NI' : ''}, ${machine.memGiB} GiB, node ${machine.node}, ${machine.os}; ` +
    `load average ${machine.loadAvg1m} at start; ${durationSeconds} s\n\n${markdownTable(rows)}\n\n` +
    (missed.length ? `Targets missed: ${missed.map((r) => `${r.item} ${r.what}`).join('; ')}\n` : 'All targets met.\n') +
    `JSON: ${join(DATA, 'results.json')}\n`,
);
process.exitCode = missed.some((r) => r.what.startsWith('failed:')) ? 1 : 0;
