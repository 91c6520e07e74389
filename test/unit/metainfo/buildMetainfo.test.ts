import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { bdecode, bencode, type BValue } from '../../../lambda/metainfo/bencode';
import { buildInfo, buildMetainfo, type MetainfoOptions } from '../../../lambda/metainfo/buildMetainfo';
import { infoHash } from '../../../lambda/metainfo/infoHash';

const digest = (n: number) => Buffer.alloc(20, n);
const info = buildInfo({ name: 'a.bin', length: 40_000, pieceLength: 16_384, pieces: Buffer.concat([digest(1), digest(2), digest(3)]) });
const INFO_TEXT = `d6:lengthi40000e4:name5:a.bin12:piece lengthi16384e6:pieces60:${'\x01'.repeat(20)}${'\x02'.repeat(20)}${'\x03'.repeat(20)}e`;

const torrentOptions = fc.record({
  name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  length: fc.integer({ min: 1, max: 10_000_000 }),
  pieceLength: fc.constantFrom(16_384, 65_536, 1_048_576),
  webSeeds: fc.array(fc.webUrl({ withQueryParameters: true }), { maxLength: 3 }),
  trackers: fc.array(fc.webUrl(), { maxLength: 3 }),
  creationDate: fc.option(fc.integer({ min: 0, max: 4_000_000_000 }), { nil: undefined }),
});
type TorrentOptions = typeof torrentOptions extends fc.Arbitrary<infer T> ? T : never;
const build = (o: TorrentOptions) => {
  const pieces = Buffer.alloc(20 * Math.ceil(o.length / o.pieceLength), 0xab);
  const infoBytes = buildInfo({ name: o.name, length: o.length, pieceLength: o.pieceLength, pieces });
  const opts: MetainfoOptions = { info: infoBytes, webSeeds: o.webSeeds, trackers: o.trackers, creationDate: o.creationDate };
  return { infoBytes, opts };
};

/**
 * The generic way to the same torrent: the whole top-level dictionary through `bencode`, with the
 * info bytes spliced in where a placeholder was encoded (how buildMetainfo worked before it wrote
 * the keys itself).
 */
const viaBencode = (opts: MetainfoOptions): Buffer => {
  const mark = Buffer.from('\u0000info-placeholder\u0000');
  const top: Record<string, BValue | undefined> = {
    announce: opts.trackers[0],
    'announce-list': opts.trackers.length > 1 ? opts.trackers.map((t) => [t]) : undefined,
    comment: opts.comment,
    'created by': 's3-torrent-proxy',
    'creation date': opts.creationDate,
    info: mark,
    'url-list': opts.webSeeds.length > 0 ? opts.webSeeds : undefined,
  };
  const encoded = bencode(top);
  const marked = Buffer.concat([Buffer.from(`${mark.length}:`), mark]);
  const at = encoded.indexOf(marked);
  return Buffer.concat([encoded.subarray(0, at), opts.info, encoded.subarray(at + marked.length)]);
};

describe('buildInfo', () => {
  test('encodes exactly the four BEP 3 single-file keys', () => {
    expect(info.toString('latin1')).toBe(INFO_TEXT);
  });

  test('encodes an empty object as zero pieces', () => {
    const out = buildInfo({ name: 'empty', length: 0, pieceLength: 16_384, pieces: Buffer.alloc(0) });

    expect(out.toString('latin1')).toBe('d6:lengthi0e4:name5:empty12:piece lengthi16384e6:pieces0:e');
  });

  test.each([
    ['one piece hash too few', 40_000, 2, 'expected 3 piece hashes for 40000 bytes, got 2'],
    ['one piece hash too many', 40_000, 4, 'expected 3 piece hashes for 40000 bytes, got 4'],
    ['a piece hash for an empty object', 0, 1, 'expected 0 piece hashes for 0 bytes, got 1'],
  ])('refuses %s', (_label, length, count, message) => {
    const pieces = Buffer.alloc(20 * count);

    expect(() => buildInfo({ name: 'a', length, pieceLength: 16_384, pieces })).toThrow(new RangeError(message));
  });

  test('refuses pieces that are not whole 20-byte digests', () => {
    expect(() => buildInfo({ name: 'a', length: 10, pieceLength: 16_384, pieces: Buffer.alloc(21) })).toThrow(
      new RangeError('pieces must be a multiple of 20 bytes'),
    );
  });
});

describe('buildMetainfo', () => {
  test('writes the top-level keys in order around the info bytes', () => {
    // Act
    const out = buildMetainfo({
      info,
      webSeeds: ['https://x.example/prod/seed/t/demo/a.bin'],
      trackers: ['udp://t1.example:1337/announce', 'https://t2.example/announce'],
      creationDate: 1_700_000_000,
      comment: 'hi',
    });

    // Assert
    expect(out.toString('latin1')).toBe(
      'd8:announce30:udp://t1.example:1337/announce' +
        '13:announce-listll30:udp://t1.example:1337/announceel27:https://t2.example/announceee' +
        '7:comment2:hi10:created by16:s3-torrent-proxy13:creation datei1700000000e' +
        `4:info${INFO_TEXT}` +
        '8:url-listl40:https://x.example/prod/seed/t/demo/a.binee',
    );
  });

  test('leaves out announce, creation date and url-list when not given', () => {
    const out = buildMetainfo({ info, webSeeds: [], trackers: [] });

    expect(bdecode(out).value).toEqual({ 'created by': Buffer.from('s3-torrent-proxy'), info: bdecode(info).value });
  });

  test('puts web seeds in a top-level url-list, never inside info', () => {
    const out = buildMetainfo({ info, webSeeds: ['https://a.example/1', 'https://b.example/2?x=1&y=2'], trackers: [] });

    expect(bdecode(out).value).toEqual({
      'created by': Buffer.from('s3-torrent-proxy'),
      info: bdecode(info).value,
      'url-list': [Buffer.from('https://a.example/1'), Buffer.from('https://b.example/2?x=1&y=2')],
    });
  });

  test('writes announce without announce-list for a single tracker', () => {
    const out = buildMetainfo({ info, webSeeds: [], trackers: ['udp://t.example:80'] });

    expect(bdecode(out).value).toEqual({
      announce: Buffer.from('udp://t.example:80'),
      'created by': Buffer.from('s3-torrent-proxy'),
      info: bdecode(info).value,
    });
  });

  test('gives byte-identical torrents for the same inputs, and splices info byte for byte', () => {
    fc.assert(
      fc.property(torrentOptions, (o) => {
        // Arrange
        const { infoBytes, opts } = build(o);

        // Act
        const first = buildMetainfo(opts);
        const second = buildMetainfo(build(o).opts);

        // Assert
        expect(first.equals(second)).toBe(true);
        const { value, spans } = bdecode(first);
        expect(first.subarray(...spans.info).equals(infoBytes)).toBe(true);
        expect(Object.keys(value)).toEqual(
          [
            o.trackers.length > 0 && 'announce',
            o.trackers.length > 1 && 'announce-list',
            'created by',
            o.creationDate !== undefined && 'creation date',
            'info',
            o.webSeeds.length > 0 && 'url-list',
          ].filter(Boolean),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('writes the same bytes as bencode over the whole dictionary, for any trackers, web seeds, comment and date', () => {
    const anyText = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(
        torrentOptions,
        fc.array(anyText, { maxLength: 4 }),
        fc.array(anyText, { maxLength: 4 }),
        fc.option(anyText, { nil: undefined }),
        (o, trackers, webSeeds, comment) => {
          const { opts } = build(o);
          for (const variant of [opts, { ...opts, trackers, webSeeds, comment }]) {
            expect(buildMetainfo(variant).equals(viaBencode(variant))).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('refuses a creation date that is not a safe integer, as bencode does', () => {
    expect(() => buildMetainfo({ info, webSeeds: [], trackers: [], creationDate: 1.5 })).toThrow(new TypeError('bencode: 1.5 is not a safe integer'));
  });

  test('has the info-hash of its info dictionary', () => {
    fc.assert(
      fc.property(torrentOptions, (o) => {
        const { infoBytes, opts } = build(o);

        expect(infoHash(buildMetainfo(opts))).toBe(createHash('sha1').update(infoBytes).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });
});
