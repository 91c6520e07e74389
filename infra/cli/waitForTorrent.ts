/**
 * Waits for a share link's torrent: GET the link until it answers 200, and
 * while it answers 202 (a background build, lambda/http/pendingResponse.ts)
 * show its progress and ask again after Retry-After.
 */
import { CliError } from './CliError';
import { EXIT } from './exitCodes';
import type { ProgressReporter, ProgressView } from './progress';

export interface WaitOptions {
  reporter: ProgressReporter;
  /** Give up after this many ms. */
  timeoutMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface PendingBody {
  code?: string;
  message?: string;
  progress?: { bytesDone?: number; bytesTotal?: number; etaSeconds?: number | null; startedAt?: string };
}

const defaultSleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** Retry-After in ms, within 1 s and 60 s (the proxy sends 2–60). */
const retryAfterMs = (header: string | null) => {
  const s = Number(header);
  return Math.min(60, Math.max(1, Number.isFinite(s) && s > 0 ? s : 10)) * 1000;
};

export const unreachable = (url: string, err: unknown) =>
  new CliError(`Could not reach the proxy at ${new URL(url).origin}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`, EXIT.unreachable);

/** Resolves once the torrent is ready; how many 202 answers came before. */
export const waitForTorrent = async (url: string, o: WaitOptions): Promise<{ polls: number }> => {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const deadline = now() + o.timeoutMs;
  let previous: { at: number; bytesDone: number } | undefined;
  for (let polls = 0; ; polls++) {
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json' } });
    } catch (err) {
      o.reporter.done();
      throw unreachable(url, err);
    }
    if (res.status === 200) {
      await res.arrayBuffer();
      o.reporter.done();
      return { polls };
    }
    const text = await res.text();
    let body: PendingBody = {};
    try {
      body = JSON.parse(text) as PendingBody;
    } catch {
      // not JSON: reported as text below
    }
    if (res.status !== 202) {
      o.reporter.done();
      throw new CliError(`The torrent could not be built (${res.status} ${body.code ?? ''}): ${body.message ?? text}`.replace('  ', ' '), EXIT.failed);
    }
    const at = now();
    const bytesDone = body.progress?.bytesDone ?? 0;
    const bytesTotal = body.progress?.bytesTotal ?? 0;
    // The rate between two polls; for the first, since the build started (the proxy's startedAt).
    const startedAt = body.progress?.startedAt ? Date.parse(body.progress.startedAt) : Number.NaN;
    const rate =
      previous && at > previous.at
        ? ((bytesDone - previous.bytesDone) * 1000) / (at - previous.at)
        : Number.isFinite(startedAt) && at > startedAt && bytesDone > 0
          ? (bytesDone * 1000) / (at - startedAt)
          : undefined;
    const eta = rate && rate > 0 ? (bytesTotal - bytesDone) / rate : (body.progress?.etaSeconds ?? undefined);
    const view: ProgressView = { bytesDone, bytesTotal, rate, etaSeconds: eta };
    o.reporter.update(view);
    previous = { at, bytesDone };
    const wait = retryAfterMs(res.headers.get('retry-after'));
    if (at + wait > deadline) {
      o.reporter.done();
      throw new CliError(
        `Gave up waiting for the torrent after ${Math.round(o.timeoutMs / 1000)} s (--timeout); the build goes on: ask again later.`,
        EXIT.timedOut,
      );
    }
    await sleep(wait);
  }
};
