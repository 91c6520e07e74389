import type { JobProgress } from '../jobs/jobProgress';
import { jsonResponse, type LambdaResponse } from './jsonResponse';

/** A background build's progress as callers are told it (JSON body and the 202 page alike). */
export interface PendingProgress {
  bytesDone: number;
  bytesTotal: number;
  /** One decimal, rounded down. */
  percent: number;
  etaSeconds: number | null;
  startedAt: string;
  /** When to ask again, seconds (from the ETA when known). */
  retryAfter: number;
}

export const pendingProgress = (p: JobProgress, now: number = Date.now()): PendingProgress => {
  const elapsed = Math.max((now - p.startedAt) / 1000, 0.001);
  const rate = p.bytesDone / elapsed;
  const eta = rate > 0 ? Math.ceil((p.bytesTotal - p.bytesDone) / rate) : undefined;
  const retryAfter = eta === undefined ? 10 : Math.min(60, Math.max(2, eta));
  const percent = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 1000) / 10 : 0;
  return { bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, percent, etaSeconds: eta ?? null, startedAt: new Date(p.startedAt).toISOString(), retryAfter };
};

/**
 * 202 Accepted while a large object's torrent is built in the background:
 * how far it is, and when to ask again (Retry-After, from the ETA when known).
 */
export const pendingResponse = (p: JobProgress, now: number = Date.now()): LambdaResponse => {
  const { retryAfter, ...progress } = pendingProgress(p, now);
  return jsonResponse(
    202,
    {
      code: 'TorrentPending',
      message: `The torrent is being built (${progress.percent}% of ${p.bytesTotal} bytes hashed). Retry the same URL in ${retryAfter} s.`,
      progress,
    },
    { 'Retry-After': String(retryAfter) },
  );
};
