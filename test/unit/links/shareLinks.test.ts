import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { mintShareLink, parseSeedToken, seedToken, seedUrl, torrentLinkUrl } from '../../../lambda/links/shareLinks';
import { verifyLink } from '../../../lambda/links/verifyLink';
import { parseObjectPath } from '../../../lambda/http/parseObjectPath';
import { ring, SECRET_1 } from '../fixtures';

const NOW = 1_800_000_000;
const EXP = 1_900_000_000;
const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
const k1 = ring('k1');
const hmac = (payload: string) => createHmac('sha256', SECRET_1).update(payload).digest('base64url');

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const servableKey = fc
  .string({
    unit: fc.oneof(fc.constantFrom('/', '%', ' ', '#', '?', '&', '+', '=', "'", 'é', '😀'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
    minLength: 1,
    maxLength: 60,
  })
  .filter((k) => Buffer.byteLength(k) <= 1024 && !CONTROL.test(k) && !k.split('/').some((s) => s === '.' || s === '..'));
const bucketArb = fc
  .stringMatching(/^[a-z][a-z0-9-]{1,20}[a-z0-9]$/)
  .filter((b) => !/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(b));

/** What a request for `url` brings to the torrent route: the path API Gateway passes and the decoded query. */
const torrentRequest = (url: string) => {
  const u = new URL(url);
  const { bucket, key } = parseObjectPath(u.pathname, 'torrent', 0);
  const q = Object.fromEntries(u.searchParams);
  return { target: { route: 'torrent' as const, bucket, key }, presented: { exp: q.exp, kid: q.kid, sig: q.sig, prefix: q.prefix } };
};
const seedRequest = (url: string) => {
  const u = new URL(url);
  const { bucket, key, leading } = parseObjectPath(u.pathname, 'seed', 1);
  return { target: { route: 'seed' as const, bucket, key }, presented: parseSeedToken(leading[0]) };
};

describe('torrentLinkUrl', () => {
  test('writes the object URL with exp, kid and sig', () => {
    // Act
    const url = torrentLinkUrl(k1, { baseUrl: 'https://x.example/prod', bucket: 'demo', key: 'a b.iso', exp: EXP });

    // Assert
    expect(url).toBe(`https://x.example/prod/torrent/demo/a%20b.iso?exp=${EXP}&kid=k1&sig=${hmac(`5:s3tp17:torrent6:object4:demo7:a b.iso10:${EXP}2:k1`)}`);
  });

  test('adds the prefix to a prefix-scoped link and signs the prefix, not the key', () => {
    const url = torrentLinkUrl(k1, { baseUrl: 'https://x.example', bucket: 'demo', key: 'videos/a b.mp4', prefix: 'videos/', exp: EXP });

    expect(url).toBe(
      `https://x.example/torrent/demo/videos/a%20b.mp4?exp=${EXP}&kid=k1&sig=${hmac(`5:s3tp17:torrent6:prefix4:demo7:videos/10:${EXP}2:k1`)}&prefix=videos%2F`,
    );
  });

  test('gives URLs that verify for their own object once parsed back', () => {
    fc.assert(
      fc.property(bucketArb, servableKey, fc.nat(), fc.boolean(), (bucket, key, cut, prefixed) => {
        // Arrange
        const prefix = prefixed ? [...key].slice(0, 1 + (cut % [...key].length)).join('') : undefined;
        const url = torrentLinkUrl(k1, { baseUrl: BASE, bucket, key, prefix, exp: EXP });

        // Act
        const { target, presented } = torrentRequest(url);
        const verified = verifyLink(presented, target, k1, NOW);

        // Assert
        expect({ target, verified }).toEqual({
          target: { route: 'torrent', bucket, key },
          verified: { exp: EXP, kid: 'k1', scope: prefix !== undefined ? { type: 'prefix', prefix } : { type: 'object', key } },
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('seedUrl', () => {
  test('carries the signature in the path, with no query string', () => {
    // Act
    const url = seedUrl(k1, BASE, 'demo', 'samples/a b.bin', EXP);

    // Assert
    const sig = hmac(`5:s3tp14:seed6:object4:demo15:samples/a b.bin10:${EXP}2:k1`);
    expect(url).toBe(`${BASE}/seed/k1.${EXP}.${sig}/demo/samples/a%20b.bin`);
  });

  test('gives URLs that verify on the seed route once parsed back, and never on the torrent route', () => {
    fc.assert(
      fc.property(bucketArb, servableKey, (bucket, key) => {
        // Arrange
        const url = seedUrl(k1, BASE, bucket, key, EXP);

        // Act
        const { target, presented } = seedRequest(url);
        const verified = verifyLink(presented, target, k1, NOW);

        // Assert
        expect({ search: new URL(url).search, target, verified }).toEqual({
          search: '',
          target: { route: 'seed', bucket, key },
          verified: { exp: EXP, kid: 'k1', scope: { type: 'object', key } },
        });
        expect(() => verifyLink(presented, { ...target, route: 'torrent' }, k1, NOW)).toThrow('The share link is not valid for this object.');
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseSeedToken', () => {
  test.each([
    [seedToken('k1', EXP, 'A'.repeat(43)), { kid: 'k1', exp: String(EXP), sig: 'A'.repeat(43) }],
    ['k1', { kid: 'k1', exp: undefined, sig: undefined }],
    ['k1.123', { kid: 'k1', exp: '123', sig: undefined }],
    ['', { kid: '', exp: undefined, sig: undefined }],
    // Four parts: a version-pinned token, the pin base64url-encoded.
    [seedToken('k1', EXP, 'A'.repeat(43), 'v:3HL4kqtJ'), { kid: 'k1', exp: String(EXP), sig: 'A'.repeat(43), pin: 'v:3HL4kqtJ' }],
    ['a.b.c.d+', { kid: '', exp: '', sig: '' }],
    ['a.b.c.d.e.f', { kid: '', exp: '', sig: '' }],
    // Five parts: pinned and bound to a swarm (its info-hash).
    [seedToken('k1', EXP, 'A'.repeat(43), 'e:x', 'ab'.repeat(20)), { kid: 'k1', exp: String(EXP), sig: 'A'.repeat(43), pin: 'e:x', swarm: 'ab'.repeat(20) }],
  ])('splits "%s"', (token, expected) => {
    expect(parseSeedToken(token)).toEqual(expected);
  });
});

describe('mintShareLink', () => {
  test('mints the torrent URL and the seed URL for the same object and expiry', () => {
    const minted = mintShareLink(ring('k2', ['k1', 'k2']), { baseUrl: BASE, bucket: 'demo', key: 'a.bin', exp: EXP });
    const r = ring('k2', ['k1', 'k2']);

    expect(minted).toEqual({
      url: torrentLinkUrl(r, { baseUrl: BASE, bucket: 'demo', key: 'a.bin', exp: EXP }),
      seedUrl: seedUrl(r, BASE, 'demo', 'a.bin', EXP),
      exp: EXP,
      kid: 'k2',
    });
    expect(minted.url).toMatch(/[?&]kid=k2(&|$)/);
  });
});
