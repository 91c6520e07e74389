import fc from 'fast-check';
import { contentDisposition, torrentFileName } from '../../../lambda/http/contentDisposition';

const HEADER = /^attachment; filename="([^"]*)"; filename\*=UTF-8''(.*)$/s;
// RFC 8187 attr-char, or a %XX escape.
const VALUE_CHARS = /^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})*$/;

describe('contentDisposition', () => {
  test.each([
    ['an accented name (the doc example)', 'résumé.pdf.torrent', `attachment; filename="r_sum_.pdf.torrent"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf.torrent`],
    ['a plain ASCII name', 'talk.mp4.torrent', `attachment; filename="talk.mp4.torrent"; filename*=UTF-8''talk.mp4.torrent`],
    [
      'quotes, percent signs and RFC 8187 specials',
      `a"b%c'(d)*.torrent`,
      `attachment; filename="a_b_c'(d)*.torrent"; filename*=UTF-8''a%22b%25c%27%28d%29%2A.torrent`,
    ],
    ['slashes and backslashes', 'a/b\\c.torrent', `attachment; filename="a_b_c.torrent"; filename*=UTF-8''a_b_c.torrent`],
    [
      'a CRLF header injection',
      'x.torrent"\r\nSet-Cookie: a=b',
      `attachment; filename="x.torrent___Set-Cookie: a=b"; filename*=UTF-8''x.torrent%22__Set-Cookie%3A%20a%3Db`,
    ],
    ['C1 controls and NUL', 'a\u0085b\u0000c', `attachment; filename="a_b_c"; filename*=UTF-8''a_b_c`],
    ['an emoji', '😀.torrent', `attachment; filename="_.torrent"; filename*=UTF-8''%F0%9F%98%80.torrent`],
    ['an empty name', '', `attachment; filename="download.torrent"; filename*=UTF-8''download.torrent`],
  ])('writes %s', (_label, name, expected) => {
    expect(contentDisposition(name)).toBe(expected);
  });

  test('never lets a name end the header or break the quoted fallback', () => {
    const unit = fc.oneof(
      fc.constantFrom('\r', '\n', '\u0000', '"', '\\', '/', '%', "'", ';', '=', '*', 'é', '😀', '\u0085', '\u2028', ' '),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (name) => {
        // Act
        const header = contentDisposition(name);

        // Assert
        expect(header).not.toMatch(/[\r\n\u0000]/);
        const [, fallback, encoded] = HEADER.exec(header) ?? [];
        // One fallback character per code point of the cleaned name.
        const clean = name.replace(/[\u0000-\u001f\u007f-\u009f/\\]/g, '_') || 'download.torrent';
        expect({
          fallbackPrintableAscii: /^[\x20-\x7e]+$/.test(fallback) && !/["\\]/.test(fallback),
          fallbackLength: fallback.length,
          encodedChars: VALUE_CHARS.test(encoded),
          decoded: decodeURIComponent(encoded),
        }).toEqual({ fallbackPrintableAscii: true, fallbackLength: [...clean].length, encodedChars: true, decoded: clean });
      }),
      { numRuns: 500 },
    );
  });
});

describe('torrentFileName', () => {
  test.each([
    ['videos/2026/talk.mp4', 'talk.mp4.torrent'],
    ['a.bin', 'a.bin.torrent'],
    ['dir/', 'dir.torrent'],
    ['///', 'download.torrent'],
  ])('names the torrent of %s "%s"', (key, expected) => {
    expect(torrentFileName(key)).toBe(expected);
  });
});
