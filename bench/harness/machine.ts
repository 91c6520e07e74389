/** What the figures were measured on, and what runs cost in time and CPU (the ratios matter more than the absolute numbers). */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { fmt, log, mbps, since } from './stats';

/** A /proc file's text, or '' off Linux. */
const proc = (path: string): string => {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return '';
  }
};

export const machineInfo = () => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: availableParallelism(),
  shaNi: /^flags\s*:.*\bsha_ni\b/m.test(proc('cpuinfo')),
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  os: `${type()} ${release()}`,
  loadAvg1m: Math.round(loadavg()[0] * 100) / 100,
});

/** CPU seconds (user + system, every thread) process `pid` has used so far, or this process without one; undefined off Linux. */
const cpuSeconds = (pid?: number): number | undefined => {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  // After the command name: state is field 3, utime and stime are fields 14 and 15, in USER_HZ (100 on Linux).
  const fields = proc(`${pid}/stat`).split(') ')[1]?.split(' ');
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : undefined;
};

export interface Timed<T> {
  value: T;
  ms: number;
  /** Core-seconds spent by this process (its worker threads included). */
  ownCpu: number;
  /** Core-seconds spent meanwhile by process `otherPid`. */
  otherCpu?: number;
}

/** Runs `fn` once, timing it and counting the CPU it cost here and in process `otherPid`. */
export const timed = async <T>(fn: () => Promise<T>, otherPid?: number): Promise<Timed<T>> => {
  const [own0, other0] = [cpuSeconds()!, otherPid && cpuSeconds(otherPid)];
  const t0 = performance.now();
  const value = await fn();
  const ms = since(t0);
  const [own1, other1] = [cpuSeconds()!, otherPid && cpuSeconds(otherPid)];
  return { value, ms, ownCpu: own1 - own0, otherCpu: other0 === undefined || other1 === undefined ? undefined : other1 - other0 };
};

/**
 * `runs` rounds of every contender in turn, so machine noise hits each
 * alike; logs each round's MB/s over `bytes`. Returns every run, per contender.
 */
export const rounds = async (
  runs: number,
  bytes: number,
  contenders: Record<string, () => Promise<unknown>>,
  otherPid?: number,
): Promise<Record<string, Timed<unknown>[]>> => {
  const out: Record<string, Timed<unknown>[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, fn] of Object.entries(contenders)) out[name].push(await timed(fn, otherPid));
    log(
      `  run ${i + 1}/${runs}: ${Object.entries(out)
        .map(([name, r]) => `${name} ${fmt.mbps(mbps(bytes, r[i].ms))}`)
        .join(', ')}`,
    );
  }
  return out;
};
