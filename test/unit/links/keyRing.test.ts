import fc from 'fast-check';
import { KeyRingError, parseKeyRing } from '../../../lambda/links/keyRing';

const SECRET = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0+/=';

const failure = (json: string): unknown => {
  try {
    parseKeyRing(json);
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('parseKeyRing', () => {
  test('reads the active id and every key as UTF-8 bytes', () => {
    // Act
    const ring = parseKeyRing(JSON.stringify({ active: 'k2', k2: SECRET, k1: 'x'.repeat(32) }));

    // Assert
    expect(ring).toEqual({
      active: 'k2',
      keys: new Map([
        ['k2', Buffer.from(SECRET)],
        ['k1', Buffer.from('x'.repeat(32))],
      ]),
    });
  });

  test.each([
    ['text that is not JSON', `{"active":"k1","k1":"${SECRET}"`, 'Invalid link key ring: not valid JSON'],
    ['a JSON string', JSON.stringify(SECRET), 'Invalid link key ring: must be a JSON object'],
    ['a JSON array', JSON.stringify([SECRET]), 'Invalid link key ring: must be a JSON object'],
    ['null', 'null', 'Invalid link key ring: must be a JSON object'],
    ['no active id', JSON.stringify({ k1: SECRET }), 'Invalid link key ring: "active" must name a key id ([A-Za-z0-9_-]{1,32})'],
    [
      'an active id that is the secret',
      JSON.stringify({ active: SECRET, k1: SECRET }),
      'Invalid link key ring: "active" must name a key id ([A-Za-z0-9_-]{1,32})',
    ],
    [
      'an active id missing from the ring',
      JSON.stringify({ active: 'k9', k1: SECRET }),
      'Invalid link key ring: "active" names a key id that is not in the ring',
    ],
    [
      'a secret shorter than 32 characters',
      JSON.stringify({ active: 'k1', k1: SECRET.slice(0, 31) }),
      'Invalid link key ring: every key must be a string of at least 32 characters',
    ],
    ['a secret that is not a string', JSON.stringify({ active: 'k1', k1: 123 }), 'Invalid link key ring: every key must be a string of at least 32 characters'],
    ['a key id with a space', JSON.stringify({ active: 'k1', k1: SECRET, 'bad id': SECRET }), 'Invalid link key ring: a key id is not [A-Za-z0-9_-]{1,32}'],
  ])('refuses %s without echoing the secret', (_label, json, message) => {
    // Act
    const err = failure(json);

    // Assert
    expect(err).toBeInstanceOf(KeyRingError);
    expect((err as Error).message).toBe(message);
    expect((err as Error).message).not.toContain(SECRET.slice(0, 31));
  });

  test('never puts a secret into an error message, whatever is wrong around it', () => {
    const templates: Array<(s: string) => string> = [
      (s) => `{"active":"k1","k1":"${s}"`,
      (s) => `{"active":"k1","k1":"${s}",}`,
      (s) => JSON.stringify([s]),
      (s) => JSON.stringify(s),
      (s) => JSON.stringify({ k1: s }),
      (s) => JSON.stringify({ active: 'k9', k1: s }),
      (s) => JSON.stringify({ active: 'k1', k1: s.slice(0, 20) }),
      (s) => JSON.stringify({ active: 'k1', k1: s, 'k 2': s }),
      (s) => JSON.stringify({ active: 'k1', k1: [s] }),
      // The secret pasted where an id or the active id belongs.
      (s) => JSON.stringify({ active: 'k1', [s]: 'k1' }),
      (s) => JSON.stringify({ active: s, k1: s }),
      (s) => JSON.stringify({ active: 'k1', k1: 'x'.repeat(40), [s]: 'y'.repeat(40) }),
    ];
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 32, maxLength: 64 }), fc.constantFrom(...templates), (secret, template) => {
        // Arrange: a secret recognisable from any 16 of its characters.
        fc.pre(new Set(secret).size > 8);

        // Act
        const err = failure(template(secret));

        // Assert
        expect(err).toBeInstanceOf(KeyRingError);
        const message = (err as Error).message;
        for (let i = 0; i + 16 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 16));
      }),
      { numRuns: 300 },
    );
  });
});
