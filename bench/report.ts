/** The benchmark's summary: one row per figure, as a markdown table and as JSON. */
export interface Row {
  item: string;
  what: string;
  ours: string;
  baseline: string;
  /** ours / baseline, when the two are comparable. */
  ratio?: number;
  target?: string;
  /** undefined when the row has no target. */
  pass?: boolean;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export const markdownTable = (rows: Row[]): string => {
  const lines = ['| # | measurement | ours | baseline (same run, same bytes) | ratio | target | |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`;
    const mark = r.pass === undefined ? '' : r.pass ? 'ok' : '**MISS**';
    lines.push(`| ${r.item} | ${cell(r.what)} | ${cell(r.ours)} | ${cell(r.baseline)} | ${ratio} | ${cell(r.target ?? '')} | ${mark} |`);
  }
  return lines.join('\n');
};

export const misses = (rows: Row[]): Row[] => rows.filter((r) => r.pass === false);
