/**
 * Item 10: the local runtime as `npm start` builds it (infra/local/startLocal.ts
 * with its default served bucket, SEED_MODE proxy, and s3rver and dynalite in
 * a child process of their own), run in a process of its own as under
 * `npm start`, warmed as `npm start` is by its demo build (one small object's
 * torrent and seed read, unmeasured). A 1 GiB object's first torrent (a fresh server-side copy of the
 * fixture each round, so nothing is cached: the request builds it, 200 once
 * hashed) against reading the same object through the seed route (one GET,
 * drained by curl), interleaved, the order alternating per round; the
 * core-seconds each run cost in the proxy's and the servers' process go to
 * the log and the JSON. A second row runs the same with the servers inside
 * the proxy's process, as before issue 14. Needs curl.
 */
import { CopyObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream, readFileSync, rmSync, statSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { EMBEDDED_ACCOUNT_ID, DEMO_BUCKET, s3ClientFor } from '../infra/local/embeddedS3';
import type { ServerPlacement } from '../infra/local/embeddedServers';
import { startLocal } from '../infra/local/startLocal';
import { parseKeyRing } from '../lambda/links/keyRing';
import { mintShareLink } from '../lambda/links/shareLinks';
import { runInChild } from './harness/child';
import type { Measurement } from './harness/context';
import { putObject, sourceRef } from './harness/fixtures';
import { ratioRow } from './harness/report';
import { log, median, since } from './harness/stats';

const run = promisify(execFile);
const ROUNDS = 3;
const TARGET = 1.25;
const BASE_KEY = 'bench/base-1gib.bin';
const WARM_KEY = 'bench/warm-up.bin';

/** What the proxy's process reports (JSON): where it listens and its keys. */
interface ProxyProcess {
  baseUrl: string;
  s3Endpoint: string;
  keysJson: string;
  serversPid?: number;
}

/**
 * Runs in the proxy's own process (harness/child.ts): `npm start`'s runtime
 * on free ports, without the demo object.
 */
export const startProxy = async (dataDir: string, embeddedServers: ServerPlacement) => {
  const rt = await startLocal({ port: 0, s3Port: 0, dataDir, demo: false, embeddedServers });
  return { baseUrl: rt.baseUrl, s3Endpoint: rt.s3Endpoint, keysJson: rt.keysJson, serversPid: rt.serversPid, close: () => rt.close() };
};

/**
 * GET `url` with curl (its own process, as a downloader would be; a C client spends least on the bytes),
 * body discarded: its status, its X-Torrent-Source and how many bytes came.
 */
const drain = async (url: string) => {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %header{x-torrent-source}', url]);
  const [status, bytes, source] = stdout.trim().split(' ');
  return { status: Number(status), bytes: Number(bytes), source: source || undefined };
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** CPU seconds (user + system, all threads) process `pid` has used so far; NaN off Linux. */
const cpuOf = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};

/** `ROUNDS` pairs of (first torrent, seed read) of fresh copies, through one configuration. */
const measure = async (workDir: string, fixture: string, placement: ServerPlacement) => {
  const dataDir = join(workDir, `local-${placement}`);
  // NODE_OPTIONS as `npm start` sets it (s3rver's continuation tokens need DES); the child-process servers set it themselves.
  const proxy = await runInChild<ProxyProcess>(new URL(import.meta.url).href, 'startProxy', [dataDir, placement], { nodeArgs: ['--openssl-legacy-provider'] });
  const { baseUrl, s3Endpoint, keysJson } = proxy.value;
  const admin = s3ClientFor(s3Endpoint);
  const ring = parseKeyRing(keysJson);
  const size = statSync(fixture).size;
  try {
    await putObject(admin, sourceRef(BASE_KEY, DEMO_BUCKET), createReadStream(fixture), size);
    // Unmeasured, as `npm start` builds the demo torrent before it prints its link: hash workers, JIT, connections warm.
    await putObject(admin, sourceRef(WARM_KEY, DEMO_BUCKET), Buffer.alloc(3 * 1024 * 1024, 1), 3 * 1024 * 1024);
    const warm = mintShareLink(ring, { baseUrl, bucket: DEMO_BUCKET, key: WARM_KEY, exp: Math.floor(Date.now() / 1000) + 3600 });
    await drain(warm.url);
    await drain(warm.seedUrl!);
    const torrentMs: number[] = [];
    const seedMs: number[] = [];
    // Core-seconds per run in the proxy's process and (child-process placement) the servers' process.
    const cpu: Array<{ run: string; proxy: number; servers?: number }> = [];
    const serversPid = proxy.value.serversPid === proxy.pid ? undefined : proxy.value.serversPid; // in-process: the proxy's own
    const counted = async (run: string, fn: () => Promise<void>) => {
      const [p0, s0] = [cpuOf(proxy.pid), serversPid === undefined ? undefined : cpuOf(serversPid)];
      await fn();
      const servers = serversPid === undefined || s0 === undefined ? undefined : Math.round((cpuOf(serversPid) - s0) * 100) / 100;
      cpu.push({ run, proxy: Math.round((cpuOf(proxy.pid) - p0) * 100) / 100, ...(servers === undefined ? {} : { servers }) });
    };
    for (let round = 0; round < ROUNDS; round++) {
      const key = `bench/round-${round}.bin`;
      await admin.send(
        new CopyObjectCommand({ Bucket: DEMO_BUCKET, Key: key, CopySource: `${DEMO_BUCKET}/${BASE_KEY}`, ExpectedBucketOwner: EMBEDDED_ACCOUNT_ID }),
      );
      const link = mintShareLink(ring, { baseUrl, bucket: DEMO_BUCKET, key, exp: Math.floor(Date.now() / 1000) + 3600 });
      const firstTorrent = async () => {
        const t0 = performance.now();
        const r = await drain(link.url);
        if (r.status !== 200 || r.source !== 'generated') throw new Error(`the first torrent request answered ${r.status} from ${r.source}, not 200 generated`);
        torrentMs.push(since(t0));
      };
      const seedRead = async () => {
        const t0 = performance.now();
        const r = await drain(link.seedUrl!);
        if (r.status !== 200 || r.bytes !== size) throw new Error(`the seed route answered ${r.status} with ${r.bytes} of ${size} bytes`);
        seedMs.push(since(t0));
      };
      const steps: Array<[string, () => Promise<void>]> = [
        ['torrent', firstTorrent],
        ['seed', seedRead],
      ];
      for (const [run, step] of round % 2 === 0 ? steps : steps.reverse()) await counted(`${run} ${round + 1}`, step);
      log(`  ${placement} round ${round + 1}/${ROUNDS}: first torrent ${seconds(torrentMs[round])}, seed read ${seconds(seedMs[round])}`);
      await admin.send(new DeleteObjectCommand({ Bucket: DEMO_BUCKET, Key: key }));
    }
    log(`  ${placement} core-seconds: ${cpu.map((c) => `${c.run} proxy ${c.proxy}${c.servers === undefined ? '' : ` + servers ${c.servers}`}`).join(', ')}`);
    return { torrentMs, seedMs, cpu };
  } finally {
    admin.destroy();
    await proxy.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

const measurement: Measurement = {
  title: 'local runtime (npm start): a 1 GiB object first torrent vs reading it through the seed route',
  run: async (ctx) => {
    const fixture = await ctx.fixtureFile();
    const child = await measure(ctx.workDir, fixture, 'child-process');
    const inProcess = await measure(ctx.workDir, fixture, 'in-process');
    const row = (what: string, r: { torrentMs: number[]; seedMs: number[]; cpu: unknown[] }, atMost?: number) => ({
      ...ratioRow(what, median(r.torrentMs), median(r.seedMs), { show: seconds, label: ' seed route GET, drained (median)', atMost }),
      data: { rounds: ROUNDS, ...r },
    });
    return [
      row(`first torrent of 1 GiB through npm start's runtime (servers in their own process), median of ${ROUNDS}`, child, TARGET),
      row('same, servers in the proxy process (before issue 14)', inProcess),
    ];
  },
};

export default measurement;
