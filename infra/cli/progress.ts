/**
 * How a background build's progress is shown while the CLI waits: a bar
 * redrawn in place when stderr is a terminal, plain lines otherwise (logs, CI).
 */

/** One poll's view of a build: what the 202 answer's `progress` says, plus the rate measured between polls. */
export interface ProgressView {
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second, if known. */
  rate?: number;
  /** Seconds left, if known. */
  etaSeconds?: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * @example formatBytes(1536) // '1.5 KiB'
 * @example formatBytes(3 * 1024 ** 3) // '3.0 GiB'
 */
export const formatBytes = (n: number): string => {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${UNITS[u]}`;
};

/**
 * @example formatDuration(75) // '1:15'
 * @example formatDuration(3725) // '1:02:05'
 */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
};

const percentOf = (p: ProgressView) => (p.bytesTotal > 0 ? Math.min(100, (p.bytesDone / p.bytesTotal) * 100) : 0);

const rateAndEta = (p: ProgressView) =>
  `${p.rate === undefined ? '? B/s' : `${formatBytes(p.rate)}/s`}  ETA ${p.etaSeconds === undefined ? '?' : formatDuration(p.etaSeconds)}`;

/**
 * The terminal bar.
 * @example renderBar({ bytesDone: 512, bytesTotal: 1024, rate: 256, etaSeconds: 2 }, 10)
 * // '[#####.....]  50.0%  512 B / 1.0 KiB  256 B/s  ETA 0:02'
 */
export const renderBar = (p: ProgressView, width = 30): string => {
  const percent = percentOf(p);
  const filled = Math.round((percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent.toFixed(1).padStart(5)}%  ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${rateAndEta(p)}`;
};

/**
 * One plain line per poll.
 * @example renderLine({ bytesDone: 512, bytesTotal: 1024, rate: 256, etaSeconds: 2 })
 * // 'building the torrent: 50.0%  512 B / 1.0 KiB  256 B/s  ETA 0:02'
 */
export const renderLine = (p: ProgressView): string =>
  `building the torrent: ${percentOf(p).toFixed(1)}%  ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${rateAndEta(p)}`;

export interface ProgressReporter {
  update(p: ProgressView): void;
  /** Ends the bar's line (a terminal) before anything else is written. */
  done(): void;
}

/**
 * A reporter on a stream: on a terminal the bar, redrawn in place at every poll and once a second
 * in between (the ETA counting down; bytes stay as last reported: polls follow Retry-After, which
 * can be a minute); plain lines, one per poll, elsewhere.
 */
export const progressReporter = (out: NodeJS.WriteStream, tickMs = 1000): ProgressReporter => {
  if (!out.isTTY) return { update: (p) => out.write(`${renderLine(p)}\n`), done: () => {} };
  let last: { view: ProgressView; at: number } | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!last) return;
    const { view, at } = last;
    const elapsed = (Date.now() - at) / 1000;
    const etaSeconds = view.etaSeconds === undefined ? undefined : Math.max(0, view.etaSeconds - elapsed);
    const width = Math.max(10, Math.min(40, (out.columns || 80) - 60));
    out.write(`\r${renderBar({ ...view, etaSeconds }, width)}\x1b[K`);
  };
  return {
    update: (view) => {
      last = { view, at: Date.now() };
      draw();
      ticker ??= setInterval(draw, tickMs).unref();
    },
    done: () => {
      clearInterval(ticker);
      ticker = undefined;
      if (last) out.write('\n');
      last = undefined;
    },
  };
};
