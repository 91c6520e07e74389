import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signLink } from '../../../lambda/links/signLink';
import { trackerAnnounceUrl, trackerPayload, trackerToken, verifyTrackerToken } from '../../../lambda/links/trackerToken';
import { TrackerFailure } from '../../../lambda/swarm/tracker/TrackerFailure';
import type { KeyRing } from '../../../lambda/links/keyRing';
import { ring, SECRET_1 } from '../fixtures';

const NOW = 1_800_000_000;
const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const both = ring('k1', ['k1', 'k2']);

/** The outcome of a verification as a plain value. */
const outcome = (fn: () => unknown) => {
  try {
    return { ok: fn() };
  } catch (err) {
    if (!(err instanceof TrackerFailure)) throw err;
    return { reason: err.reason, permanent: err.permanent };
  }
};
const INVALID = { reason: 'This tracker URL is not valid. Fetch the torrent again with your share link.', permanent: true };
const EXPIRED = { reason: 'The share link of this torrent has expired. Ask the owner for a new link.', permanent: true };

const hashArb = fc.stringMatching(/^[0-9a-f]{40}$/);
const flipBit = (s: string, at: number, bit: number): string => {
  const i = at % s.length;
  return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << bit)) + s.slice(i + 1);
};

describe('trackerPayload', () => {
  test('length-prefixes its own domain, the info-hash, the expiry and the key id', () => {
    expect(trackerPayload({ infoHash: HASH, exp: 1_900_000_000, kid: 'k1' }).toString('utf8')).toBe(`13:s3tp-tracker140:${HASH}10:19000000002:k1`);
  });
});

describe('trackerToken', () => {
  test('is kid.exp.sig.infohash, the signature the base64url HMAC-SHA256 of the payload', () => {
    // Arrange: the documented payload, signed independently.
    const sig = createHmac('sha256', SECRET_1).update(`13:s3tp-tracker140:${HASH}10:19000000002:k1`).digest('base64url');

    // Act
    const token = trackerToken(ring('k1'), HASH, 1_900_000_000);

    // Assert
    expect(token).toBe(`k1.1900000000.${sig}.${HASH}`);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  test.each([
    ['an upper-case info-hash', HASH.toUpperCase(), 1_900_000_000],
    ['a short info-hash', HASH.slice(1), 1_900_000_000],
    ['a fractional expiry', HASH, 1.5],
    ['a zero expiry', HASH, 0],
  ])('refuses to sign %s', (_label, infoHash, exp) => {
    expect(() => trackerToken(both, infoHash, exp)).toThrow(TypeError);
  });

  test('gives the announce URL, whose scrape URL is BEP 48 last-segment replacement', () => {
    const url = trackerAnnounceUrl(ring('k1'), 'https://x.example/prod', HASH, 1_900_000_000);

    expect(url).toBe(`https://x.example/prod/announce/${trackerToken(ring('k1'), HASH, 1_900_000_000)}`);
    expect(new URL(url).search).toBe('');
  });
});

describe('verifyTrackerToken', () => {
  test('returns the info-hash, expiry and key id of a genuine token', () => {
    expect(verifyTrackerToken(trackerToken(both, HASH, NOW + 60), both, NOW)).toEqual({ infoHash: HASH, exp: NOW + 60, kid: 'k1' });
  });

  test('says expired when the token expires this second, and accepts it a second earlier', () => {
    const token = trackerToken(both, HASH, NOW);

    expect([outcome(() => verifyTrackerToken(token, both, NOW)), outcome(() => verifyTrackerToken(token, both, NOW - 1))]).toEqual([
      EXPIRED,
      { ok: { infoHash: HASH, exp: NOW, kid: 'k1' } },
    ]);
  });

  test.each([
    ['an empty token', ''],
    ['three segments', `k1.${NOW + 60}.${'A'.repeat(43)}`],
    ['five segments', `k1.${NOW + 60}.${'A'.repeat(43)}.${HASH}.x`],
    ['an upper-case info-hash', `k1.${NOW + 60}.${'A'.repeat(43)}.${HASH.toUpperCase()}`],
    ['an exp with a leading zero', `k1.0${NOW + 60}.${'A'.repeat(43)}.${HASH}`],
    ['a signature of 42 characters', `k1.${NOW + 60}.${'A'.repeat(42)}.${HASH}`],
    ['an unknown key id', `k9.${NOW + 60}.${'A'.repeat(43)}.${HASH}`],
    ['a percent-encoded token', encodeURIComponent(`k1.${NOW + 60}.${'A'.repeat(43)}.${HASH}`).replace(/\./g, '%2E')],
  ])('refuses %s as not valid', (_label, token) => {
    expect(outcome(() => verifyTrackerToken(token, both, NOW))).toEqual(INVALID);
  });

  test('refuses a token with any single bit flipped in any part, as not valid even once expired', () => {
    fc.assert(
      fc.property(
        hashArb,
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        fc.nat(),
        fc.nat({ max: 6 }),
        fc.nat(3),
        (hash, ttl, expired, at, bit, part) => {
          // Arrange
          const parts = trackerToken(both, hash, NOW + ttl).split('.');
          parts[part] = flipBit(parts[part], at, bit);

          // Act
          const result = outcome(() => verifyTrackerToken(parts.join('.'), both, expired ? NOW + ttl : NOW));

          // Assert
          expect(result).toEqual(INVALID);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('never lets a token for one swarm serve another', () => {
    fc.assert(
      fc.property(hashArb, hashArb, (a, b) => {
        fc.pre(a !== b);
        const [kid, exp, sig] = trackerToken(both, a, NOW + 60).split('.');

        expect(outcome(() => verifyTrackerToken(`${kid}.${exp}.${sig}.${b}`, both, NOW))).toEqual(INVALID);
      }),
      { numRuns: 200 },
    );
  });

  test('never accepts a link or seed-token signature as a tracker token', () => {
    // Arrange: link signatures over every field a tracker token has, in the seed token's shape.
    const secret = both.keys.get('k1')!;
    const sigs = [
      signLink({ route: 'seed', bucket: HASH, scope: { type: 'object', key: HASH }, exp: NOW + 60, kid: 'k1' }, secret),
      signLink({ route: 'torrent', bucket: 'demo', scope: { type: 'object', key: 'a.bin' }, exp: NOW + 60, kid: 'k1', swarm: HASH }, secret),
      signLink({ route: 'seed', bucket: 'demo', scope: { type: 'object', key: 'a.bin' }, exp: NOW + 60, kid: 'k1', pin: 'v:1', swarm: HASH }, secret),
    ];

    // Act
    const results = sigs.map((sig) => outcome(() => verifyTrackerToken(`k1.${NOW + 60}.${sig}.${HASH}`, both, NOW)));

    // Assert
    expect(results).toEqual([INVALID, INVALID, INVALID]);
  });

  test('verifies tokens of the old and new key after rotation, and kills old ones when the old key is removed', () => {
    // Arrange
    const oldToken = trackerToken(ring('k1'), HASH, NOW + 60);
    const rotated: KeyRing = ring('k2', ['k1', 'k2']);
    const newToken = trackerToken(rotated, HASH, NOW + 60);
    const revoked = ring('k2', ['k2']);

    // Act
    const results = [oldToken, newToken].flatMap((t) => [rotated, revoked].map((r) => outcome(() => verifyTrackerToken(t, r, NOW))));

    // Assert
    const ok = (kid: string) => ({ ok: { infoHash: HASH, exp: NOW + 60, kid } });
    expect(results).toEqual([ok('k1'), INVALID, ok('k2'), ok('k2')]);
  });
});
