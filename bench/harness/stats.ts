/** Small statistics, units and formatting shared by the measurements. */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

export const median = (xs: number[]): number => percentile(xs, 50);
export const best = (xs: number[]): number => Math.max(...xs);

/** Throughput in MB/s (10^6 bytes per second). */
export const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/** Milliseconds since `t0` (from performance.now()). */
export const since = (t0: number): number => performance.now() - t0;

/** Milliseconds each of `n` sequential calls of `fn` took. */
export const timeEach = async (n: number, fn: () => Promise<unknown>): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(since(t0));
  }
  return out;
};

export const fmt = {
  mbps: (x: number) => `${x.toFixed(0)} MB/s`,
  ms: (x: number) => `${x.toFixed(2)} ms`,
  kib: (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`,
  mib: (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`,
};

/** Progress goes to stderr; stdout carries only the summary table. */
export const log = (msg: string): void => {
  process.stderr.write(`[bench] ${msg}\n`);
};
