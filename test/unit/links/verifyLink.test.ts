import fc from 'fast-check';
import { signLink, type LinkRoute, type LinkScope } from '../../../lambda/links/signLink';
import { verifyLink, type PresentedLink } from '../../../lambda/links/verifyLink';
import { HttpError } from '../../../lambda/http/HttpError';
import { isWellFormed, ring } from '../fixtures';
import type { KeyRing } from '../../../lambda/links/keyRing';

const NOW = 1_800_000_000;

/** A link as the minter makes it: signed with the ring's active key. */
const mint = (r: KeyRing, route: LinkRoute, bucket: string, scope: LinkScope, exp: number): PresentedLink => {
  const sig = signLink({ route, bucket, scope, exp, kid: r.active }, r.keys.get(r.active)!);
  return { exp: String(exp), kid: r.active, sig, ...(scope.type === 'prefix' && { prefix: scope.prefix }) };
};

/** The outcome of a verification as a plain value. */
const outcome = (fn: () => unknown) => {
  try {
    return { ok: fn() };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { statusCode: err.statusCode, code: err.code };
  }
};
const INVALID = { statusCode: 403, code: 'InvalidLink' };
const EXPIRED = { statusCode: 403, code: 'LinkExpired' };
const REQUIRED = { statusCode: 401, code: 'LinkRequired' };

const both = ring('k1', ['k1', 'k2']);
const bucketArb = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/);
const keyArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const flipBit = (s: string, at: number, bit: number): string => {
  const i = at % s.length;
  return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << bit)) + s.slice(i + 1);
};

describe('verifyLink', () => {
  test('returns the expiry, key id and scope of a genuine object link', () => {
    // Arrange
    const link = mint(both, 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW + 60);

    // Act
    const verified = verifyLink(link, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW);

    // Assert
    expect(verified).toEqual({ exp: NOW + 60, kid: 'k1', scope: { type: 'object', key: 'a.bin' } });
  });

  test('returns 401 LinkRequired when exp, kid and sig are all missing', () => {
    expect(outcome(() => verifyLink({}, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual(REQUIRED);
  });

  test.each<[string, PresentedLink]>([
    ['only exp', { exp: String(NOW + 60) }],
    ['no sig', { exp: String(NOW + 60), kid: 'k1' }],
    ['empty values', { exp: '', kid: '', sig: '' }],
    ['a signature of the wrong length', { exp: String(NOW + 60), kid: 'k1', sig: 'A'.repeat(42) }],
    ['a signature with padding', { exp: String(NOW + 60), kid: 'k1', sig: `${'A'.repeat(42)}=` }],
    ['an exp with a leading zero', { exp: `0${NOW + 60}`, kid: 'k1', sig: 'A'.repeat(43) }],
    ['an exp of 13 digits', { exp: '1'.repeat(13), kid: 'k1', sig: 'A'.repeat(43) }],
    ['a kid with a dot', { exp: String(NOW + 60), kid: 'k.1', sig: 'A'.repeat(43) }],
    ['an unknown kid', { exp: String(NOW + 60), kid: 'k9', sig: 'A'.repeat(43) }],
  ])('returns 403 InvalidLink for %s', (_label, link) => {
    expect(outcome(() => verifyLink(link, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual(INVALID);
  });

  test('returns 403 LinkExpired when the link expires this second', () => {
    const link = mint(both, 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW);

    expect(outcome(() => verifyLink(link, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual(EXPIRED);
  });

  test('accepts a link that expires next second', () => {
    const link = mint(both, 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW + 1);

    expect(outcome(() => verifyLink(link, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual({
      ok: { exp: NOW + 1, kid: 'k1', scope: { type: 'object', key: 'a.bin' } },
    });
  });

  test('returns InvalidLink, not LinkExpired, for an expired link that was tampered with', () => {
    // Arrange
    const link = mint(both, 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW - 100);

    // Act
    const result = outcome(() => verifyLink(link, { route: 'torrent', bucket: 'demo', key: 'b.bin' }, both, NOW));

    // Assert
    expect(result).toEqual(INVALID);
  });

  test('refuses a link with any single bit flipped in any part, as InvalidLink even once expired', () => {
    type Part = 'sig' | 'exp' | 'kid' | 'bucket' | 'key' | 'prefix' | 'route';
    fc.assert(
      fc.property(
        bucketArb,
        keyArb,
        fc.boolean(),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.boolean(),
        fc.constantFrom<Part>('sig', 'exp', 'kid', 'bucket', 'key', 'prefix', 'route'),
        fc.nat(),
        fc.nat({ max: 15 }),
        (bucket, key, prefixed, ttl, expired, part, at, bit) => {
          // Arrange
          const points = [...key];
          const scope: LinkScope = prefixed ? { type: 'prefix', prefix: points.slice(0, 1 + (at % points.length)).join('') } : { type: 'object', key };
          const link = mint(both, 'seed', bucket, scope, NOW + ttl);
          const target = { route: 'seed' as LinkRoute, bucket, key };
          const presented = { ...link };
          const flip = (s: string) => flipBit(s, at, part === 'sig' || part === 'exp' || part === 'kid' ? bit % 7 : bit);
          if (part === 'route') target.route = 'torrent';
          else if (part === 'bucket') target.bucket = flip(bucket);
          // A prefix link covers every key under the prefix: flip a bit inside the prefix.
          else if (part === 'key') target.key = scope.type === 'prefix' ? flipBit(key, at % scope.prefix.length, bit) : flip(key);
          else if (part === 'prefix') presented.prefix = flip(presented.prefix ?? key);
          else presented[part] = flip(presented[part]!);
          // Keys reach us decoded from UTF-8, so they never hold a lone surrogate.
          fc.pre(isWellFormed(target.key) && isWellFormed(presented.prefix ?? ''));

          // Act
          const result = outcome(() => verifyLink(presented, target, both, expired ? NOW + ttl + 1 : NOW));

          // Assert
          expect(result).toEqual(INVALID);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('verifies links of the old and the new key after rotation, and kills old links when the old key is removed', () => {
    // Arrange
    const target = { route: 'torrent' as const, bucket: 'demo', key: 'a.bin' };
    const oldLink = mint(ring('k1'), 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW + 60);
    const rotated = ring('k2', ['k1', 'k2']);
    const newLink = mint(rotated, 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW + 60);
    const revoked = ring('k2', ['k2']);

    // Act
    const results = {
      oldOnRotated: outcome(() => verifyLink(oldLink, target, rotated, NOW)),
      newOnRotated: outcome(() => verifyLink(newLink, target, rotated, NOW)),
      oldOnRevoked: outcome(() => verifyLink(oldLink, target, revoked, NOW)),
      newOnRevoked: outcome(() => verifyLink(newLink, target, revoked, NOW)),
    };

    // Assert
    const ok = (kid: string) => ({ ok: { exp: NOW + 60, kid, scope: { type: 'object', key: 'a.bin' } } });
    expect(results).toEqual({ oldOnRotated: ok('k1'), newOnRotated: ok('k2'), oldOnRevoked: INVALID, newOnRevoked: ok('k2') });
  });

  test('refuses a link presented with a key id it was not signed with', () => {
    const link = mint(both, 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW + 60);

    expect(outcome(() => verifyLink({ ...link, kid: 'k2' }, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual(INVALID);
  });

  test('never verifies a link for one key as a link for another', () => {
    fc.assert(
      fc.property(bucketArb, keyArb, keyArb, (bucket, a, b) => {
        fc.pre(a !== b);
        const link = mint(both, 'torrent', bucket, { type: 'object', key: a }, NOW + 60);

        expect(outcome(() => verifyLink(link, { route: 'torrent', bucket, key: b }, both, NOW))).toEqual(INVALID);
      }),
      { numRuns: 300 },
    );
  });

  test('never verifies a link for one bucket as a link for another', () => {
    fc.assert(
      fc.property(bucketArb, bucketArb, keyArb, (a, b, key) => {
        fc.pre(a !== b);
        const link = mint(both, 'torrent', a, { type: 'object', key }, NOW + 60);

        expect(outcome(() => verifyLink(link, { route: 'torrent', bucket: b, key }, both, NOW))).toEqual(INVALID);
      }),
      { numRuns: 300 },
    );
  });

  test.each([
    ['a key directly under the prefix', 'videos/a.mp4', { ok: { exp: NOW + 60, kid: 'k1', scope: { type: 'prefix', prefix: 'videos/' } } }],
    ['a key deeper under the prefix', 'videos/2026/b.mp4', { ok: { exp: NOW + 60, kid: 'k1', scope: { type: 'prefix', prefix: 'videos/' } } }],
    ['a key outside the prefix', 'other/a.mp4', INVALID],
    ['the prefix without its slash', 'videos', INVALID],
    ['a key that only contains the prefix', 'x/videos/a.mp4', INVALID],
  ])('applies a prefix link to %s', (_label, key, expected) => {
    const link = mint(both, 'torrent', 'demo', { type: 'prefix', prefix: 'videos/' }, NOW + 60);

    expect(outcome(() => verifyLink(link, { route: 'torrent', bucket: 'demo', key }, both, NOW))).toEqual(expected);
  });

  test('refuses a signed empty prefix', () => {
    const link = mint(both, 'torrent', 'demo', { type: 'prefix', prefix: '' }, NOW + 60);

    expect(outcome(() => verifyLink(link, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual(INVALID);
  });

  test('refuses an object link presented as a prefix link for its own key', () => {
    const link = mint(both, 'torrent', 'demo', { type: 'object', key: 'a.bin' }, NOW + 60);

    expect(outcome(() => verifyLink({ ...link, prefix: 'a.bin' }, { route: 'torrent', bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual(INVALID);
  });

  test('refuses a prefix link presented without its prefix', () => {
    const { prefix: _dropped, ...link } = mint(both, 'torrent', 'demo', { type: 'prefix', prefix: 'a' }, NOW + 60);

    expect(outcome(() => verifyLink(link, { route: 'torrent', bucket: 'demo', key: 'a' }, both, NOW))).toEqual(INVALID);
  });

  test.each<[LinkRoute, LinkRoute]>([
    ['seed', 'torrent'],
    ['torrent', 'seed'],
  ])('refuses a %s-route signature on the %s route', (signedFor, presentedOn) => {
    const link = mint(both, signedFor, 'demo', { type: 'object', key: 'a.bin' }, NOW + 60);

    expect(outcome(() => verifyLink(link, { route: presentedOn, bucket: 'demo', key: 'a.bin' }, both, NOW))).toEqual(INVALID);
  });
});
