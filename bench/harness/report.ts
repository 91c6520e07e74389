/** The benchmark's summary: one row per figure, printed as a markdown table and written as JSON. */
export interface Row {
  /** The issue #6 item the row belongs to (run.ts fills it in). */
  item?: number;
  what: string;
  ours: string;
  /** What the row is compared against, measured in the same run on the same bytes. */
  baseline: string;
  /** ours / baseline, when the two are comparable. */
  ratio?: number;
  target?: string;
  /** undefined when the row has no target. */
  pass?: boolean;
  /** Raw figures behind the row (JSON only). */
  data?: Record<string, unknown>;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export const markdownTable = (rows: Row[]): string => {
  const lines = ['| # | measurement | ours | baseline (same run, same bytes) | ratio | target | |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`;
    const mark = r.pass === undefined ? '' : r.pass ? 'ok' : '**MISS**';
    lines.push(`| ${r.item ?? ''} | ${cell(r.what)} | ${cell(r.ours)} | ${cell(r.baseline)} | ${ratio} | ${cell(r.target ?? '')} | ${mark} |`);
  }
  return lines.join('\n');
};

/**
 * A row comparing two figures of one kind as ours / baseline; `atLeast` or
 * `atMost` make the ratio a target.
 *
 * @example
 * ratioRow('generator vs ranged reads', 664, 705, { show: fmt.mbps, label: ' ranged GetObject drain', atLeast: 0.8 })
 */
export const ratioRow = (
  what: string,
  ours: number,
  baseline: number,
  o: { show: (x: number) => string; label?: string; atLeast?: number; atMost?: number },
): Row => {
  const ratio = ours / baseline;
  const target =
    o.atLeast !== undefined
      ? { target: `>= ${o.atLeast}x`, pass: ratio >= o.atLeast }
      : o.atMost !== undefined
        ? { target: `<= ${o.atMost}x`, pass: ratio <= o.atMost }
        : {};
  return { what, ours: o.show(ours), baseline: `${o.show(baseline)}${o.label ?? ''}`, ratio, ...target };
};
