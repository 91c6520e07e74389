/**
 * Item 7: a lone client is not slowed by `seeding: fallback`. One libtorrent
 * client (scripts/lt_swarm.py, alone) downloads a 24 MiB random object from
 * the web seed; nobody else is in the swarm, so `fallback` must serve at full
 * speed like `always`, paying only the peer-store read (one Query) each seed
 * request makes first. Fresh object (so a fresh swarm) every run, 3 runs of
 * each, alternating so machine noise hits both alike; the figure is the
 * median time to completion, as speed relative to `always` (always /
 * fallback). No rate limit: a limit would hide exactly the overhead measured
 * here. Every copy is checked (sha256), and a lone `fallback` client must
 * never have been deferred (no deferral marker for its address).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Measurement } from './harness/context';
import { log, median, MiB } from './harness/stats';
import { ALWAYS_BUCKET, FALLBACK_BUCKET, publishObject, runSwarm, settledSeedBytes, startSwarmRuntime } from './harness/swarm';

const SIZE = 24 * MiB;
const RUNS = 3;
const TARGET = 0.8;

interface Run {
  seconds: number;
  verified: boolean;
  copies: number;
  deferred: boolean;
}

const measurement: Measurement = {
  title: 'a lone libtorrent client: seeding "fallback" vs "always"',
  run: async (ctx) => {
    const base = join(ctx.workDir, 'lone-client');
    const s = await startSwarmRuntime(join(base, 'runtime'));
    try {
      const once = async (bucket: string, key: string): Promise<Run> => {
        const dir = join(base, key);
        const obj = await publishObject(s, bucket, key, randomBytes(SIZE), dir);
        const out = await runSwarm(obj, dir, { clients: 1, delaySeconds: 0, timeoutSeconds: 90, rate: 0, pollSeconds: 0.01 });
        const [c] = out.clients;
        if (!c.ok) throw new Error(`the lone client of ${bucket}/${key} did not finish: ${c.errors.join('; ')}`);
        const view = await s.rt.app.services.peers!.view(obj.infoHash, Date.now(), 120_000);
        return {
          seconds: c.seconds,
          verified: c.verified,
          copies: (await settledSeedBytes(s.rt, obj.infoHash)) / SIZE,
          deferred: Object.keys(view.deferredSince).length > 0,
        };
      };
      const runs: Record<'fallback' | 'always', Run[]> = { fallback: [], always: [] };
      for (let i = 0; i < RUNS; i++) {
        runs.fallback.push(await once(FALLBACK_BUCKET, `lone-${i}.bin`));
        runs.always.push(await once(ALWAYS_BUCKET, `lone-${i}.bin`));
        log(`  run ${i + 1}/${RUNS}: fallback ${runs.fallback[i].seconds.toFixed(2)} s, always ${runs.always[i].seconds.toFixed(2)} s`);
      }
      const med = (k: keyof typeof runs) => median(runs[k].map((r) => r.seconds));
      const list = (k: keyof typeof runs) => runs[k].map((r) => r.seconds.toFixed(2)).join(' / ');
      const copies = (k: keyof typeof runs) => runs[k].map((r) => r.copies.toFixed(2)).join(' / ');
      const relative = med('always') / med('fallback');
      const allVerified = [...runs.fallback, ...runs.always].every((r) => r.verified);
      const deferred = runs.fallback.filter((r) => r.deferred).length;
      return [
        {
          what: `lone libtorrent client, 24 MiB from the web seed (proxy mode, no rate limit): time to complete, seeding "fallback" (median of ${RUNS}, fresh object each); ratio = speed relative (always / fallback)`,
          ours: `${med('fallback').toFixed(2)} s (${list('fallback')}; ${deferred} deferred; web seed sent ${copies('fallback')} copies; ${allVerified ? 'all copies verified' : 'COPY MISMATCH'})`,
          baseline: `${med('always').toFixed(2)} s seeding "always" (${list('always')})`,
          ratio: relative,
          target: `>= ${TARGET}x as fast`,
          pass: relative >= TARGET && allVerified && deferred === 0,
          data: { runs, size: SIZE },
        },
      ];
    } finally {
      await s.close();
    }
  },
};

export default measurement;
