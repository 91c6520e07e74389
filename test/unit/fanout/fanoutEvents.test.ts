import { parseFailedEvent, parseFanoutInput, parseSegmentEvent } from '../../../lambda/fanout/fanoutEvents';

const KiB = 1024;
const PL = 16 * KiB;
const SIZE = 5 * PL + 100;
const source = { kind: 'object', bucket: 'media', key: 'a/b.bin', etag: '"e"', size: SIZE };
const base = { build: 'b-1', source, pieceLength: PL };
const segments = [
  { index: 0, start: 0, end: 3 * PL },
  { index: 1, start: 3 * PL, end: SIZE },
];

const invalid = (message: RegExp) => expect.objectContaining({ statusCode: 400, code: 'InvalidEvent', message: expect.stringMatching(message) });

describe('parseSegmentEvent', () => {
  test('reads a segment of an object, dropping fields it does not know (the action)', () => {
    expect(parseSegmentEvent({ action: 'fanoutSegment', ...base, segment: segments[1] })).toEqual({
      build: 'b-1',
      source: { kind: 'object', bucket: 'media', key: 'a/b.bin', etag: '"e"', size: SIZE, versionId: undefined, lastModified: undefined },
      pieceLength: PL,
      segment: segments[1],
    });
  });

  test('reads a segment of a folder by its manifest digest', () => {
    const folder = { kind: 'folder', bucket: 'media', prefix: 'sets/a/', manifest: 'ab'.repeat(32), size: SIZE };
    expect(parseSegmentEvent({ ...base, source: folder, segment: segments[0] }).source).toEqual(folder);
  });

  test.each<[string, unknown, RegExp]>([
    ['not an object', 'x', /must be an object/],
    ['a build id that is no execution name', { ...base, build: 'a/b', segment: segments[0] }, /^build must be/],
    ['an unknown source kind', { ...base, source: { ...source, kind: 'bucket' }, segment: segments[0] }, /source.kind/],
    ['an empty object', { ...base, source: { ...source, size: 0 }, segment: segments[0] }, /source.size/],
    ['a key that cannot be an object key', { ...base, source: { ...source, key: '../x' }, segment: segments[0] }, /source.key/],
    [
      'a folder prefix without its slash',
      { ...base, source: { kind: 'folder', bucket: 'm', prefix: 'sets/a', manifest: 'ab'.repeat(32), size: SIZE }, segment: segments[0] },
      /prefix/,
    ],
    ['a piece length other than the size fixes', { ...base, pieceLength: 2 * PL, segment: segments[0] }, /pieceLength must be 16384/],
    ['a segment that starts inside a piece', { ...base, segment: { index: 0, start: 1, end: PL + 1 } }, /whole pieces/],
    ['a segment that ends inside a piece before the end', { ...base, segment: { index: 0, start: 0, end: PL + 1 } }, /whole pieces/],
    ['a segment past the end', { ...base, segment: { index: 0, start: 0, end: SIZE + 1 } }, /whole pieces/],
    ['an empty segment', { ...base, segment: { index: 0, start: PL, end: PL } }, /whole pieces/],
    ['a fractional index', { ...base, segment: { index: 0.5, start: 0, end: PL } }, /whole numbers/],
  ])('refuses %s with 400 InvalidEvent', (_label, event, message) => {
    expect(() => parseSegmentEvent(event)).toThrow(invalid(message));
  });
});

describe('parseFanoutInput', () => {
  test('reads every segment in order, covering the source', () => {
    expect(parseFanoutInput({ action: 'fanoutJoin', ...base, segments }).segments).toEqual(segments);
  });

  test.each<[string, unknown[], RegExp]>([
    ['no segments', [], /segments must be a list/],
    ['a gap', [segments[0], { index: 1, start: 4 * PL, end: SIZE }], /segments\[1\] must follow/],
    [
      'indexes out of order',
      [
        { ...segments[0], index: 1 },
        { ...segments[1], index: 0 },
      ],
      /segments\[0\] must follow/,
    ],
    ['an end short of the source', [segments[0]], /end of the source/],
  ])('refuses %s with 400 InvalidEvent', (_label, list, message) => {
    expect(() => parseFanoutInput({ ...base, segments: list })).toThrow(invalid(message));
  });
});

describe('parseFailedEvent', () => {
  test("keeps only the caught error's name", () => {
    expect(parseFailedEvent({ ...base, segments, error: { Error: 'States.Timeout', Cause: 'media/a/b.bin took too long' } }).error).toEqual({
      Error: 'States.Timeout',
    });
  });
});
