import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseAnnounce, peerAddress, type AnnounceRequest } from '../../../../lambda/swarm/tracker/parseAnnounce';
import { TrackerFailure } from '../../../../lambda/swarm/tracker/TrackerFailure';
import { apiGatewayEvent } from '../../fixtures';

const HASH = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const OPTS = { infoHash: HASH, maxPeers: 80 };
const BASE = { peer_id: '-qB4650-abcdefghijkl', port: '6881', uploaded: '0', downloaded: '0', left: '1000' };

/** The event API Gateway sends for an announce with these (decoded) parameters, each given once unless repeated. */
const announce = (params: Record<string, string | string[]>, sourceIp = '203.0.113.7'): APIGatewayProxyEvent => {
  const multi = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const single = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]]));
  const base = apiGatewayEvent({ resource: '/tracker/{token}/{action}', path: '/tracker/t/announce', pathParameters: { token: 't', action: 'announce' } });
  return {
    ...base,
    queryStringParameters: Object.keys(single).length > 0 ? single : null,
    multiValueQueryStringParameters: Object.keys(multi).length > 0 ? multi : null,
    requestContext: { ...base.requestContext, identity: { ...base.requestContext.identity, sourceIp } },
  };
};

const outcome = (fn: () => AnnounceRequest) => {
  try {
    return { ok: fn() };
  } catch (err) {
    if (!(err instanceof TrackerFailure)) throw err;
    return { failure: err.reason };
  }
};

const EXPECTED: AnnounceRequest = {
  peerId: '-qB4650-abcdefghijkl',
  ip: '203.0.113.7',
  port: 6881,
  uploaded: 0,
  downloaded: 0,
  left: 1000,
  event: 'empty',
  compact: true,
  noPeerId: false,
  numwant: 50,
};

describe('parseAnnounce', () => {
  test('reads a complete announce, with the address API Gateway saw', () => {
    // Arrange
    const event = announce({ ...BASE, event: 'started', compact: '0', no_peer_id: '1', numwant: '30', uploaded: '12', downloaded: '34', key: 'abc' });

    // Act
    const req = parseAnnounce(event, OPTS);

    // Assert
    expect(req).toEqual({ ...EXPECTED, event: 'started', compact: false, noPeerId: true, numwant: 30, uploaded: 12, downloaded: 34 });
  });

  test('defaults to compact, 50 peers, a regular announce, and nothing uploaded or downloaded', () => {
    expect(parseAnnounce(announce({ peer_id: BASE.peer_id, port: '6881', left: '1000' }), OPTS)).toEqual(EXPECTED);
  });

  test.each([
    ['a numwant above the maximum', '500', 80],
    ['a numwant of more digits than any integer', '9'.repeat(400), 80],
    ['numwant 0', '0', 0],
  ])('caps %s at the configured maximum', (_label, numwant, expected) => {
    expect(parseAnnounce(announce({ ...BASE, numwant }), OPTS).numwant).toBe(expected);
  });

  test('caps the default numwant too', () => {
    expect(parseAnnounce(announce(BASE), { ...OPTS, maxPeers: 10 }).numwant).toBe(10);
  });

  test.each([
    ['1', 1],
    ['65535', 65535],
    ['06881', 6881],
  ])('accepts port %s', (port, expected) => {
    expect(parseAnnounce(announce({ ...BASE, port }), OPTS).port).toBe(expected);
  });

  test.each(['0', '65536', '-1', '', '1e3', ' 80', '0x50', '99999999999999999999'])('refuses port "%s"', (port) => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, port }), OPTS))).toEqual({
      failure: expect.stringMatching(/^"port" must be (a number from 1 to 65535|a non-negative integer)\.$/),
    });
  });

  test.each([
    ['left', '-1'],
    ['left', '1.5'],
    ['left', '9007199254740992'],
    ['uploaded', 'abc'],
    ['downloaded', ''],
  ])('refuses %s "%s"', (name, value) => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, [name]: value }), OPTS))).toEqual({ failure: `"${name}" must be a non-negative integer.` });
  });

  test('accepts the largest safe integer as bytes left', () => {
    expect(parseAnnounce(announce({ ...BASE, left: '9007199254740991' }), OPTS).left).toBe(Number.MAX_SAFE_INTEGER);
  });

  test.each([
    ['peer_id', '"peer_id" is required.'],
    ['port', '"port" is required.'],
    ['left', '"left" is required.'],
  ])('refuses an announce without %s', (name, failure) => {
    const { [name as keyof typeof BASE]: _dropped, ...params } = BASE;

    expect(outcome(() => parseAnnounce(announce(params), OPTS))).toEqual({ failure });
  });

  test.each([
    ['started', 'started'],
    ['completed', 'completed'],
    ['stopped', 'stopped'],
    ['empty', 'empty'],
    ['', 'empty'],
    ['paused', 'empty'],
  ])('reads event "%s" as %s', (event, expected) => {
    expect(parseAnnounce(announce({ ...BASE, event }), OPTS).event).toBe(expected);
  });

  test.each(['STARTED', 'constructor', 'toString', 'start'])('refuses event "%s"', (event) => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, event }), OPTS))).toEqual({ failure: '"event" must be started, completed, stopped or empty.' });
  });

  test.each(['port', 'peer_id', 'info_hash', 'key'])('refuses %s given twice', (name) => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, [name]: ['1', '1'] }), OPTS))).toEqual({ failure: `"${name}" is given more than once.` });
  });

  test.each([
    ['one character', 'x'],
    ['64 characters', 'p'.repeat(64)],
    ['binary bytes decoded to replacement characters', '-TR4050-\ufffd\ufffd\u0001\ufffd'],
  ])('accepts a peer_id of %s, as given', (_label, peerId) => {
    expect(parseAnnounce(announce({ ...BASE, peer_id: peerId }), OPTS).peerId).toBe(peerId);
  });

  test.each([
    ['empty', ''],
    ['of 65 characters', 'p'.repeat(65)],
  ])('refuses a peer_id that is %s', (_label, peerId) => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, peer_id: peerId }), OPTS))).toEqual({ failure: '"peer_id" must be 1 to 64 characters.' });
  });

  test('takes the address from the request, never from an ip parameter', () => {
    expect(parseAnnounce(announce({ ...BASE, ip: '198.51.100.1' }, '203.0.113.9'), OPTS).ip).toBe('203.0.113.9');
  });

  test.each([
    ['IPv4-mapped IPv6 as IPv4', '::ffff:203.0.113.9', '203.0.113.9'],
    ['IPv6 in its canonical form', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['loopback IPv6', '::1', '::1'],
  ])('gives %s', (_label, sourceIp, expected) => {
    expect(peerAddress(sourceIp)).toBe(expected);
  });

  test.each(['', 'localhost', '1.2.3', 'fe80::1%eth0', '999.1.1.1'])('refuses an announce whose source address is "%s"', (sourceIp) => {
    expect(outcome(() => parseAnnounce(announce(BASE, sourceIp), OPTS))).toEqual({ failure: 'The tracker cannot tell the address this request came from.' });
  });

  test('refuses an announce that carries no source address', () => {
    const event = announce(BASE);
    const { identity: _dropped, ...requestContext } = event.requestContext;

    expect(outcome(() => parseAnnounce({ ...event, requestContext } as APIGatewayProxyEvent, OPTS))).toEqual({
      failure: 'The tracker cannot tell the address this request came from.',
    });
  });

  test.each([
    ['the raw bytes, decoded as latin1', Buffer.from(HASH, 'hex').toString('latin1')],
    ['40 hex digits', HASH],
    ['40 upper-case hex digits', HASH.toUpperCase()],
  ])('accepts the swarm named by the token as info_hash given as %s', (_label, infoHash) => {
    expect(parseAnnounce(announce({ ...BASE, info_hash: infoHash }), OPTS)).toEqual(EXPECTED);
  });

  test.each([
    ['raw bytes', Buffer.alloc(20, 7).toString('latin1')],
    ['ASCII bytes', 'abcdefghijklmnopqrst'],
    ['hex digits', 'f'.repeat(40)],
  ])('refuses an info_hash of other %s', (_label, infoHash) => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, info_hash: infoHash }), OPTS))).toEqual({ failure: 'info_hash does not match this tracker URL.' });
  });

  test.each([
    ['UTF-8 replacement characters', `\ufffd${Buffer.alloc(19, 65).toString('latin1')}`],
    ['19 bytes', Buffer.alloc(19, 7).toString('latin1')],
    ['21 bytes', Buffer.alloc(21, 7).toString('latin1')],
    ['nothing', ''],
  ])('ignores an unreadable info_hash (%s)', (_label, infoHash) => {
    expect(parseAnnounce(announce({ ...BASE, info_hash: infoHash }), OPTS)).toEqual(EXPECTED);
  });

  test.each([
    ['compact', '2'],
    ['compact', 'true'],
    ['no_peer_id', 'yes'],
  ])('refuses %s=%s', (name, value) => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, [name]: value }), OPTS))).toEqual({ failure: `"${name}" must be 0 or 1.` });
  });

  test('refuses a numwant that is not a number', () => {
    expect(outcome(() => parseAnnounce(announce({ ...BASE, numwant: '-1' }), OPTS))).toEqual({ failure: '"numwant" must be a non-negative integer.' });
  });

  test('reads an event that carries only queryStringParameters', () => {
    const event = { ...announce(BASE), multiValueQueryStringParameters: null };

    expect(parseAnnounce(event, OPTS)).toEqual(EXPECTED);
  });

  test('refuses an announce with no query at all', () => {
    expect(outcome(() => parseAnnounce(announce({}), OPTS))).toEqual({ failure: '"peer_id" is required.' });
  });

  test('answers any query with a request or a TrackerFailure, never another error', () => {
    const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 70 }), fc.stringMatching(/^\d{0,20}$/), fc.constantFrom('0', '1', 'started', 'stopped'));
    const names = fc.constantFrom('peer_id', 'port', 'left', 'uploaded', 'downloaded', 'event', 'compact', 'numwant', 'no_peer_id', 'info_hash', 'ip', '');
    fc.assert(
      fc.property(
        fc.dictionary(names, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 2 }))),
        fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
        (params, ip) => {
          const result = outcome(() => parseAnnounce(announce(params, ip), OPTS));

          if (result.ok) {
            expect(result.ok.port).toBeGreaterThanOrEqual(1);
            expect(result.ok.port).toBeLessThanOrEqual(65535);
            expect(result.ok.numwant).toBeLessThanOrEqual(OPTS.maxPeers);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
