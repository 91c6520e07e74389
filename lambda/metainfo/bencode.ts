/**
 * Bencode (BEP 3). Strings are Buffers (byte strings); dictionaries are
 * encoded with keys sorted by raw bytes, as BEP 3 requires, so one value
 * always has one encoding.
 */
export type BValue = number | bigint | Buffer | string | BValue[] | { [key: string]: BValue | undefined };

export class BencodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'BencodeError';
  }
}

/**
 * Encodes a value. `undefined` dictionary values are skipped.
 *
 * @example
 * bencode({ b: 1, a: 'x' }).toString() // 'd1:a1:x1:bi1ee'
 */
export const bencode = (value: BValue): Buffer => {
  const parts: Buffer[] = [];
  encodeInto(value, parts);
  return Buffer.concat(parts);
};

const encodeInto = (value: BValue, out: Buffer[]): void => {
  if (Buffer.isBuffer(value)) {
    out.push(Buffer.from(`${value.length}:`), value);
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(Buffer.from(`${bytes.length}:`), bytes);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new TypeError(`bencode: ${value} is not a safe integer`);
    out.push(Buffer.from(`i${value}e`));
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('l'));
    for (const item of value) encodeInto(item, out);
    out.push(Buffer.from('e'));
  } else if (typeof value === 'object' && value !== null) {
    out.push(Buffer.from('d'));
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .map((k) => [k, Buffer.from(k, 'utf8')] as const)
      .sort((a, b) => Buffer.compare(a[1], b[1]));
    for (const [k, kb] of keys) {
      out.push(Buffer.from(`${kb.length}:`), kb);
      encodeInto(value[k] as BValue, out);
    }
    out.push(Buffer.from('e'));
  } else {
    throw new TypeError(`bencode: cannot encode ${typeof value}`);
  }
};

/** A decoded dictionary: keys as UTF-8 strings (torrent keys are ASCII), values raw. */
export interface BDict {
  [key: string]: BDecoded;
}
export type BDecoded = number | Buffer | BDecoded[] | BDict;

export interface DecodeResult {
  value: BDecoded;
  /** For each top-level dictionary key, the [start, end) byte span of its value (used to hash `info` exactly as sent). */
  spans: Record<string, [number, number]>;
}

const MAX_DEPTH = 64;

/**
 * Strict decoder: rejects trailing bytes, leading zeros, `-0`, unsorted or
 * duplicate dictionary keys and nesting deeper than 64. Integers beyond 2^53
 * are refused (no torrent field needs them).
 */
export const bdecode = (input: Buffer): DecodeResult => {
  let pos = 0;
  const spans: Record<string, [number, number]> = {};

  const fail = (msg: string): never => {
    throw new BencodeError(msg, pos);
  };

  const readInt = (terminator: number): number => {
    const start = pos;
    while (pos < input.length && input[pos] !== terminator) pos++;
    if (pos >= input.length) fail('unterminated integer');
    const text = input.toString('latin1', start, pos);
    if (!/^(0|-?[1-9]\d*)$/.test(text)) fail(`invalid integer "${text.slice(0, 20)}"`);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) fail('integer out of range');
    pos++; // terminator
    return n;
  };

  const readString = (): Buffer => {
    const lenStart = pos;
    while (pos < input.length && input[pos] !== 0x3a) pos++;
    if (pos >= input.length) fail('unterminated string length');
    const text = input.toString('latin1', lenStart, pos);
    if (!/^(0|[1-9]\d*)$/.test(text)) fail('invalid string length');
    const len = Number(text);
    pos++;
    if (pos + len > input.length) fail('string runs past the end');
    const s = input.subarray(pos, pos + len);
    pos += len;
    return s;
  };

  const readValue = (depth: number, top: boolean): BDecoded => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    if (pos >= input.length) fail('unexpected end');
    const c = input[pos];
    if (c === 0x69 /* i */) {
      pos++;
      return readInt(0x65);
    }
    if (c === 0x6c /* l */) {
      pos++;
      const list: BDecoded[] = [];
      while (pos < input.length && input[pos] !== 0x65) list.push(readValue(depth + 1, false));
      if (pos >= input.length) fail('unterminated list');
      pos++;
      return list;
    }
    if (c === 0x64 /* d */) {
      pos++;
      const dict: BDict = Object.create(null);
      let previous: Buffer | undefined;
      while (pos < input.length && input[pos] !== 0x65) {
        const keyBytes = readString();
        if (previous && Buffer.compare(previous, keyBytes) >= 0) fail('dictionary keys not sorted or duplicated');
        previous = keyBytes;
        const start = pos;
        const v = readValue(depth + 1, false);
        const key = keyBytes.toString('utf8');
        dict[key] = v;
        if (top) spans[key] = [start, pos];
      }
      if (pos >= input.length) fail('unterminated dictionary');
      pos++;
      return dict;
    }
    if (c >= 0x30 && c <= 0x39) return readString();
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };

  const value = readValue(0, true);
  if (pos !== input.length) fail('trailing bytes after value');
  return { value, spans };
};

export const isDict = (v: BDecoded | undefined): v is BDict => typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !Array.isArray(v);
