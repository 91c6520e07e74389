import type { AppLogger } from '../observability/logger';

/**
 * Logs generation progress (bytes, MB/s, ETA) at most every `intervalMs`,
 * and returns the callback to feed with bytes done.
 */
export const progressReporter = (log: AppLogger, fields: Record<string, unknown>, total: number, intervalMs = 2000, now: () => number = Date.now) => {
  const started = now();
  let lastLog = started;
  return (done: number) => {
    const t = now();
    if (t - lastLog < intervalMs && done < total) return;
    lastLog = t;
    const seconds = Math.max((t - started) / 1000, 1e-3);
    const rate = done / seconds;
    log.info('generating torrent', {
      ...fields,
      bytesDone: done,
      bytesTotal: total,
      percent: total > 0 ? Math.round((done / total) * 1000) / 10 : 100,
      mbPerSecond: Math.round((rate / 1e6) * 10) / 10,
      etaSeconds: rate > 0 ? Math.round((total - done) / rate) : null,
    });
  };
};
