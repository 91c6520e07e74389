import fc from 'fast-check';
import { BencodeError, bdecode, bencode, type BDecoded, type BValue } from '../../../lambda/metainfo/bencode';

const text = (b: Buffer) => b.toString('latin1');
const decodeError = (input: string | Buffer): unknown => {
  try {
    bdecode(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  } catch (err) {
    return err;
  }
  return undefined;
};

/** JSON-like values bencode can carry: safe integers, well-formed strings, lists, dictionaries. */
const bvalue = fc.letrec<{ value: BValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** What bdecode gives back for an encoded value: strings become Buffers of their UTF-8 bytes. */
const asDecoded = (v: BValue): BDecoded => {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'number' || Buffer.isBuffer(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(asDecoded);
  const out: Record<string, BDecoded> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) Object.defineProperty(out, k, { value: asDecoded(x), enumerable: true });
  return out;
};

describe('bencode', () => {
  test.each<[string, BValue, string]>([
    ['a positive integer', 42, 'i42e'],
    ['zero', 0, 'i0e'],
    ['a negative integer', -17, 'i-17e'],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER, 'i9007199254740991e'],
    ['a bigint beyond 2^53', 2n ** 64n, 'i18446744073709551616e'],
    ['a string by its UTF-8 byte length', 'é', '2:\xc3\xa9'],
    ['an empty string', '', '0:'],
    ['a Buffer as raw bytes', Buffer.from([0, 0xff, 0x3a]), '3:\x00\xff:'],
    ['an empty list', [], 'le'],
    ['an empty dictionary', {}, 'de'],
    ['nested lists', [1, [2, ['x']], []], 'li1eli2el1:xeelee'],
    ['dictionary keys in raw byte order', { b: 1, a: 'x', B: 2, aa: 3 }, 'd1:Bi2e1:a1:x2:aai3e1:bi1ee'],
    ['keys sorted by UTF-8 bytes, not UTF-16 units', { '\uffff': 1, '\u{10000}': 2 }, 'd3:\xef\xbf\xbfi1e4:\xf0\x90\x80\x80i2ee'],
    ['integer-like keys as strings in byte order', { 10: 'a', 9: 'b' }, 'd2:101:a1:91:be'],
    ['nested dictionaries', { info: { name: 'n', length: 1 }, a: [{ z: 0, y: 1 }] }, 'd1:ald1:yi1e1:zi0eee4:infod6:lengthi1e4:name1:nee'],
    ['a dictionary without its undefined values', { a: undefined, b: 1 }, 'd1:bi1ee'],
  ])('encodes %s', (_label, value, expected) => {
    // Act
    const out = bencode(value);

    // Assert
    expect(text(out)).toBe(expected);
  });

  test('refuses a number that is not a safe integer', () => {
    expect(() => bencode(1.5)).toThrow(TypeError);
    expect(() => bencode(2 ** 53)).toThrow(TypeError);
    expect(() => bencode(Number.NaN)).toThrow(TypeError);
  });

  test('refuses values bencode has no form for', () => {
    expect(() => bencode(null as unknown as BValue)).toThrow(TypeError);
    expect(() => bencode(true as unknown as BValue)).toThrow(TypeError);
    expect(() => bencode([undefined] as unknown as BValue)).toThrow(TypeError);
  });
});

describe('bdecode', () => {
  test('decodes a torrent-like dictionary with byte strings and the span of each top-level value', () => {
    // Arrange
    const input = Buffer.from('d8:announce3:url4:infod6:lengthi5e4:name1:aee', 'latin1');

    // Act
    const result = bdecode(input);

    // Assert
    expect(result).toEqual({
      value: { announce: Buffer.from('url'), info: { length: 5, name: Buffer.from('a') } },
      spans: { announce: [11, 16], info: [22, 44] },
    });
    expect(text(input.subarray(22, 44))).toBe('d6:lengthi5e4:name1:ae');
  });

  test.each([
    ['i-5e', -5],
    ['i0e', 0],
    ['i9007199254740991e', Number.MAX_SAFE_INTEGER],
    ['i-9007199254740991e', -Number.MAX_SAFE_INTEGER],
    ['0:', Buffer.alloc(0)],
    ['le', []],
    ['l1:ai1ee', [Buffer.from('a'), 1]],
  ])('decodes %s', (input, expected) => {
    expect(bdecode(Buffer.from(input, 'latin1'))).toEqual({ value: expected, spans: {} });
  });

  test('accepts lists nested 64 deep', () => {
    // Arrange
    let expected: BDecoded = [];
    for (let i = 1; i < 64; i++) expected = [expected];

    // Act
    const { value } = bdecode(Buffer.from('l'.repeat(64) + 'e'.repeat(64)));

    // Assert
    expect(value).toEqual(expected);
  });

  test.each([
    ['empty input', '', 'unexpected end at byte 0'],
    ['trailing bytes', 'i1ei2e', 'trailing bytes after value at byte 3'],
    ['a leading zero', 'i03e', 'invalid integer "03" at byte 3'],
    ['negative zero', 'i-0e', 'invalid integer "-0" at byte 3'],
    ['an empty integer', 'ie', 'invalid integer "" at byte 1'],
    ['a plus sign', 'i+1e', 'invalid integer "+1" at byte 3'],
    ['an unterminated integer', 'i12', 'unterminated integer at byte 3'],
    ['an integer beyond 2^53', 'i9007199254740993e', 'integer out of range at byte 17'],
    ['unsorted keys', 'd1:bi1e1:ai2ee', 'dictionary keys not sorted or duplicated at byte 10'],
    ['duplicate keys', 'd1:ai1e1:ai2ee', 'dictionary keys not sorted or duplicated at byte 10'],
    ['a truncated string', '5:abc', 'string runs past the end at byte 2'],
    ['a string length with a leading zero', '01:a', 'invalid string length at byte 2'],
    ['a string length without a colon', '3abc', 'unterminated string length at byte 4'],
    ['a non-string dictionary key', 'di1ei2ee', 'unterminated string length at byte 8'],
    ['an unterminated list', 'li1e', 'unterminated list at byte 4'],
    ['an unterminated dictionary', 'd1:ai1e', 'unterminated dictionary at byte 7'],
    ['a dictionary key without a value', 'd1:ae', 'unexpected byte 0x65 at byte 4'],
    ['an unknown type byte', 'x', 'unexpected byte 0x78 at byte 0'],
    ['nesting deeper than 64', 'l'.repeat(66) + 'e'.repeat(66), 'nesting too deep at byte 65'],
  ])('rejects %s with a BencodeError', (_label, input, message) => {
    // Act
    const err = decodeError(input);

    // Assert
    expect(err).toBeInstanceOf(BencodeError);
    expect((err as BencodeError).message).toBe(message);
  });

  test('rejects 100000 nested lists with a BencodeError, not a stack overflow', () => {
    const err = decodeError('l'.repeat(100_000) + 'e'.repeat(100_000));

    expect(err).toBeInstanceOf(BencodeError);
  });

  test('decodes what bencode encodes (strings come back as UTF-8 Buffers)', () => {
    fc.assert(
      fc.property(bvalue, (value) => {
        const { value: decoded } = bdecode(bencode(value));

        expect(decoded).toEqual(asDecoded(value));
      }),
      { numRuns: 400 },
    );
  });

  test('encodes what it decodes byte for byte (one value, one encoding)', () => {
    fc.assert(
      fc.property(bvalue, (value) => {
        const encoded = bencode(value);

        const reencoded = bencode(bdecode(encoded).value as BValue);

        expect(reencoded.equals(encoded)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('throws nothing but BencodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const err = decodeError(Buffer.from(bytes));

        expect(err === undefined || err instanceof BencodeError).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('throws nothing but BencodeError on mutated and truncated encodings', () => {
    const alphabet = fc.constantFrom(...'ilde0123456789:-ax'.split('').map((c) => c.charCodeAt(0)));
    fc.assert(
      fc.property(bvalue, fc.array(fc.tuple(fc.nat(), alphabet), { maxLength: 4 }), fc.nat(), (value, edits, cut) => {
        const bytes = Buffer.from(bencode(value));
        for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
        const input = bytes.subarray(0, bytes.length - (cut % (bytes.length + 1)));

        const err = decodeError(input);

        expect(err === undefined || err instanceof BencodeError).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
