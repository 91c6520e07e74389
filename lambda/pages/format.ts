const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * A byte count for people: binary units, three significant digits.
 *
 * @example
 * formatBytes(3158073) // '3.01 MiB'
 * formatBytes(512) // '512 bytes'
 */
export const formatBytes = (n: number): string => {
  if (n < 1024) return n === 1 ? '1 byte' : `${n} bytes`;
  let unit = 0;
  let v = n;
  while (v >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${UNITS[unit]}`;
};

/**
 * An exact byte count with thousands separators.
 *
 * @example
 * exactBytes(3158073) // '3,158,073 bytes'
 */
export const exactBytes = (n: number): string => `${n.toLocaleString('en-US')} ${n === 1 ? 'byte' : 'bytes'}`;

/**
 * A moment in UTC, to the minute (the page is the same for every reader, wherever they are).
 *
 * @example
 * formatDate(1796209708) // '2026-12-02 11:08 UTC'
 */
export const formatDate = (epochSeconds: number): string => `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * How far away a moment is, roughly.
 *
 * @example
 * fromNow(7 * 86400) // 'in 7 days'
 */
export const fromNow = (seconds: number): string => {
  if (seconds <= 0) return 'now';
  const steps: Array<[number, string]> = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of steps) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `in ${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return 'in less than a minute';
};
