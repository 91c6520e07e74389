import fc from 'fast-check';
import { parseTtl } from '../../../lambda/links/parseTtl';

describe('parseTtl', () => {
  test.each<[string | number, number]>([
    ['90s', 90],
    ['30m', 1800],
    ['12h', 43_200],
    ['7d', 604_800],
    ['2w', 1_209_600],
    ['3600', 3600],
    [' 7d ', 604_800],
    ['999999999w', 999_999_999 * 604_800],
    [3600, 3600],
  ])('reads %p as %d seconds', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  test.each<[string | number]>([
    [''],
    ['0'],
    ['0s'],
    ['-1'],
    ['1y'],
    ['1.5h'],
    ['1 h'],
    ['h'],
    ['7D'],
    ['1e3'],
    ['0x10'],
    ['1234567890'],
    [0],
    [-5],
    [1.5],
    [Number.NaN],
    [2 ** 53],
  ])('refuses %p', (text) => {
    expect(parseTtl(text)).toBeUndefined();
  });

  test('reads any count of any unit as that many unit seconds', () => {
    const units = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.constantFrom('', 's', 'm', 'h', 'd', 'w'), (n, unit) => {
        expect(parseTtl(`${n}${unit}`)).toBe(n * units[(unit || 's') as keyof typeof units]);
      }),
      { numRuns: 300 },
    );
  });
});
