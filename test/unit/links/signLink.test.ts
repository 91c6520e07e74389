import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { linkPayload, signLink, type LinkClaims } from '../../../lambda/links/signLink';
import { SECRET_1 } from '../fixtures';

const claims: LinkClaims = { route: 'torrent', bucket: 'demo', scope: { type: 'object', key: 'a b.iso' }, exp: 1_900_000_000, kid: 'k1' };
const claimsArb: fc.Arbitrary<LinkClaims> = fc.record({
  route: fc.constantFrom('torrent' as const, 'seed' as const),
  bucket: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
  scope: fc.oneof(
    fc.record({ type: fc.constant('object' as const), key: fc.string({ unit: 'grapheme', maxLength: 20 }) }),
    fc.record({ type: fc.constant('prefix' as const), prefix: fc.string({ unit: 'grapheme', maxLength: 20 }) }),
  ),
  exp: fc.integer({ min: 1, max: 999_999_999_999 }),
  kid: fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/),
});

describe('linkPayload', () => {
  test('length-prefixes every field of the claims', () => {
    expect(linkPayload(claims).toString('utf8')).toBe('5:s3tp17:torrent6:object4:demo7:a b.iso10:19000000002:k1');
  });

  test('counts UTF-8 bytes, not characters', () => {
    const payload = linkPayload({ ...claims, scope: { type: 'prefix', prefix: 'é/' } });

    expect(payload.toString('utf8')).toBe('5:s3tp17:torrent6:prefix4:demo3:é/10:19000000002:k1');
  });

  test('gives different payloads for different claims (no field can impersonate another)', () => {
    fc.assert(
      fc.property(claimsArb, claimsArb, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));

        expect(linkPayload(a).equals(linkPayload(b))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test('is each field encoded alone and length-prefixed, for any key text (lone surrogates included)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.option(fc.string({ unit: 'binary', maxLength: 10 }), { nil: undefined }), (key, pin) => {
        const c: LinkClaims = { ...claims, scope: { type: 'object', key }, pin };
        const fields = ['s3tp1', c.route, 'object', c.bucket, key, String(c.exp), c.kid, ...(pin === undefined ? [] : ['pin', pin])];
        const expected = Buffer.concat(fields.map((f) => Buffer.concat([Buffer.from(`${Buffer.from(f).length}:`), Buffer.from(f)])));

        expect(linkPayload(c).equals(expected)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('keeps a key ending in a field separator apart from a shorter key plus bucket', () => {
    const a = linkPayload({ ...claims, bucket: 'ab', scope: { type: 'object', key: 'c' } });
    const b = linkPayload({ ...claims, bucket: 'a', scope: { type: 'object', key: 'bc' } });

    expect(a.equals(b)).toBe(false);
  });
});

describe('signLink', () => {
  test('is the base64url HMAC-SHA256 of the payload', () => {
    // Arrange: the documented payload, signed independently.
    const expected = createHmac('sha256', SECRET_1).update('5:s3tp17:torrent6:object4:demo7:a b.iso10:19000000002:k1').digest('base64url');

    // Act
    const sig = signLink(claims, Buffer.from(SECRET_1));

    // Assert
    expect(sig).toBe(expected);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('depends on the secret', () => {
    expect(signLink(claims, Buffer.from(SECRET_1))).not.toBe(signLink(claims, Buffer.from(`${SECRET_1}x`)));
  });
});
