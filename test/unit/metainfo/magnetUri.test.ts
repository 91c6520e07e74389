import fc from 'fast-check';
import { magnetUri } from '../../../lambda/metainfo/magnetUri';

const HASH = '0123456789abcdef0123456789abcdef01234567';
const urlWithSpecials = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(fc.webUrl(), fc.string({ unit: fc.constantFrom('&', '?', '#', '=', '+', '%', ' ', 'é', '/', 'a', '😀') })).map(([u, s]) => u + s),
);

describe('magnetUri', () => {
  test('writes every parameter in a fixed order, percent-encoded', () => {
    // Act
    const uri = magnetUri({
      infoHash: HASH,
      name: 'talk 2026.mp4',
      length: 1234,
      trackers: ['udp://t.example:1337/announce'],
      webSeeds: ['https://x.example/prod/seed/k1.1900000000.sig/demo/talk%202026.mp4'],
      torrentUrl: 'https://x.example/prod/torrent/demo/talk%202026.mp4?exp=1900000000&kid=k1&sig=abc',
    });

    // Assert
    expect(uri).toBe(
      `magnet:?xt=urn:btih:${HASH}&dn=talk%202026.mp4&xl=1234` +
        '&tr=udp%3A%2F%2Ft.example%3A1337%2Fannounce' +
        '&ws=https%3A%2F%2Fx.example%2Fprod%2Fseed%2Fk1.1900000000.sig%2Fdemo%2Ftalk%25202026.mp4' +
        '&xs=https%3A%2F%2Fx.example%2Fprod%2Ftorrent%2Fdemo%2Ftalk%25202026.mp4%3Fexp%3D1900000000%26kid%3Dk1%26sig%3Dabc',
    );
  });

  test('writes only xt and dn when nothing else is given', () => {
    expect(magnetUri({ infoHash: 'ab'.repeat(20), name: 'file.bin' })).toBe(`magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=file.bin`);
  });

  test.each(['AB'.repeat(20), 'ab'.repeat(19), 'ab'.repeat(21), 'zz'.repeat(20), ''])('refuses the info-hash "%s"', (infoHash) => {
    expect(() => magnetUri({ infoHash, name: 'a' })).toThrow(new RangeError('infoHash must be 40 lowercase hex digits'));
  });

  test('gives back the exact name and URLs when parsed as a query string', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.array(urlWithSpecials, { maxLength: 3 }),
        fc.array(urlWithSpecials, { maxLength: 3 }),
        fc.option(urlWithSpecials, { nil: undefined }),
        (name, webSeeds, trackers, torrentUrl) => {
          // Act
          const uri = magnetUri({ infoHash: HASH, name, webSeeds, trackers, torrentUrl });

          // Assert
          expect(uri.startsWith('magnet:?')).toBe(true);
          const q = new URLSearchParams(uri.slice('magnet:?'.length));
          expect({
            xt: q.getAll('xt'),
            dn: q.getAll('dn'),
            tr: q.getAll('tr'),
            ws: q.getAll('ws'),
            xs: q.getAll('xs'),
            keys: [...new Set(q.keys())].sort(),
          }).toEqual({
            xt: [`urn:btih:${HASH}`],
            dn: [name],
            tr: trackers,
            ws: webSeeds,
            xs: torrentUrl ? [torrentUrl] : [],
            keys: ['dn', 'xt', ...(trackers.length ? ['tr'] : []), ...(webSeeds.length ? ['ws'] : []), ...(torrentUrl ? ['xs'] : [])].sort(),
          });
          expect(uri.slice('magnet:?'.length)).not.toMatch(/[#?\s]/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
