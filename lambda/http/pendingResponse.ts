import type { JobProgress } from '../jobs/jobProgress';
import { jsonResponse, type LambdaResponse } from './jsonResponse';

/**
 * 202 Accepted while a large object's torrent is built in the background:
 * how far it is, and when to ask again (Retry-After, from the ETA when known).
 */
export const pendingResponse = (p: JobProgress, now: number = Date.now()): LambdaResponse => {
  const elapsed = Math.max((now - p.startedAt) / 1000, 0.001);
  const rate = p.bytesDone / elapsed;
  const eta = rate > 0 ? Math.ceil((p.bytesTotal - p.bytesDone) / rate) : undefined;
  const retryAfter = eta === undefined ? 10 : Math.min(60, Math.max(2, eta));
  const percent = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 1000) / 10 : 0;
  return jsonResponse(
    202,
    {
      code: 'TorrentPending',
      message: `The torrent is being built (${percent}% of ${p.bytesTotal} bytes hashed). Retry the same URL in ${retryAfter} s.`,
      progress: { bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, percent, etaSeconds: eta ?? null, startedAt: new Date(p.startedAt).toISOString() },
    },
    { 'Retry-After': String(retryAfter) },
  );
};
