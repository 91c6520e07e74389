const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * A link lifetime in seconds from `3600`, `90s`, `30m`, `12h`, `7d` or `2w`;
 * undefined if the text is none of those.
 *
 * @example
 * parseTtl('7d') // 604800
 */
export const parseTtl = (text: string | number): number | undefined => {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text > 0 ? text : undefined;
  const m = /^(\d{1,9})([smhdw]?)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * UNITS[m[2] || 's'];
  return n > 0 ? n : undefined;
};
