import fc from 'fast-check';
import { parsePin, pinOfHead, pinParams, pinString } from '../../../lambda/links/objectPin';
import { parseKeyRing } from '../../../lambda/links/keyRing';
import { parseSeedToken, seedUrl } from '../../../lambda/links/shareLinks';
import { verifyLink } from '../../../lambda/links/verifyLink';

const ring = parseKeyRing(JSON.stringify({ active: 'k1', k1: 'a'.repeat(64) }));
const EXP = 1_900_000_000;

describe('object pins', () => {
  test('round-trip through their signed string form', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7e]{1,64}$/), fc.boolean(), (value, byVersion) => {
        const pin = byVersion ? { versionId: value } : { etag: value };
        expect(parsePin(pinString(pin))).toEqual(pin);
      }),
    );
  });

  test.each(['', 'v:', 'x:abc', 'v:has space', `v:${'a'.repeat(1025)}`, 'e:tab\there'])('refuse "%s"', (text) => {
    expect(parsePin(text)).toBeUndefined();
  });

  test('prefer the VersionId of a versioned object and hold reads to it', () => {
    expect([pinOfHead({ versionId: 'v1', etag: '"e"' }), pinOfHead({ etag: '"e"' })]).toEqual([{ versionId: 'v1' }, { etag: '"e"' }]);
    expect([pinParams({ versionId: 'v1' }), pinParams({ etag: '"e"' })]).toEqual([{ VersionId: 'v1' }, { IfMatch: '"e"' }]);
  });

  test('a pinned seed token verifies with its own pin and no other', () => {
    const url = seedUrl(ring, 'https://x', 'b', 'k.bin', EXP, { etag: '"abc"' });
    const presented = parseSeedToken(url.split('/seed/')[1].split('/')[0]);
    const target = { route: 'seed' as const, bucket: 'b', key: 'k.bin' };
    expect(verifyLink(presented, target, ring, EXP - 10).pin).toEqual({ etag: '"abc"' });
    expect(() => verifyLink({ ...presented, pin: 'e:"abd"' }, target, ring, EXP - 10)).toThrow('The share link is not valid for this object.');
    expect(() => verifyLink({ ...presented, pin: undefined }, target, ring, EXP - 10)).toThrow('The share link is not valid for this object.');
  });
});
