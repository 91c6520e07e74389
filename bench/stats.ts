/** Small statistics and formatting helpers for the benchmark. */

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

export const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
export const min = (xs: number[]): number => xs.reduce((a, b) => Math.min(a, b), Infinity);

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Throughput in MB/s (10^6 bytes per second). */
export const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Milliseconds since `t0` (from performance.now()). */
export const since = (t0: number): number => performance.now() - t0;

/** Runs `fn` `runs` times and returns each run's value. */
export const repeat = async <T>(runs: number, fn: (i: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn(i));
  return out;
};

export const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};
