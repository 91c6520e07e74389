import { bdecode } from '../../../../lambda/metainfo/bencode';
import type { PeerRecord } from '../../../../lambda/swarm/peerStore';
import { announceResponse, type AnnounceAnswer } from '../../../../lambda/swarm/tracker/announceResponse';
import { failureResponse } from '../../../../lambda/swarm/tracker/failureResponse';
import { peerBytes } from '../../../../lambda/swarm/tracker/peerBytes';
import { scrapeResponse } from '../../../../lambda/swarm/tracker/scrapeResponse';

const peer = (ip: string, port: number, peerId = 'peer', left = 0): PeerRecord => ({ ip, port, peerId, left, updatedAt: 0 });
const answer = (peers: PeerRecord[], compact = true, noPeerId = false): AnnounceAnswer => ({
  intervalSeconds: 1800,
  minIntervalSeconds: 900,
  complete: 2,
  incomplete: 3,
  downloaded: 7,
  peers,
  compact,
  noPeerId,
});
/** Bencode text with raw bytes written as latin1 characters. */
const latin1 = (b: Buffer) => b.toString('latin1');
const COUNTS = 'd8:completei2e10:downloadedi7e10:incompletei3e8:intervali1800e12:min intervali900e';

describe('announceResponse', () => {
  test('packs IPv4 peers into 6 bytes each (BEP 23), with the counts and intervals', () => {
    // Act
    const body = announceResponse(answer([peer('10.0.0.1', 6881), peer('192.168.255.254', 65535)]));

    // Assert
    expect(latin1(body)).toBe(`${COUNTS}5:peers12:\x0a\x00\x00\x01\x1a\xe1\xc0\xa8\xff\xfe\xff\xffe`);
  });

  test('packs IPv6 peers into 18 bytes each in peers6 (BEP 7), apart from IPv4 ones', () => {
    const body = announceResponse(answer([peer('2001:db8::1', 6881), peer('10.0.0.1', 1), peer('::ffff:1.2.3.4', 2)]));

    const v6a = '\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1';
    const v6b = '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x01\x02\x03\x04\x00\x02';
    expect(latin1(body)).toBe(`${COUNTS}5:peers6:\x0a\x00\x00\x01\x00\x016:peers636:${v6a}${v6b}e`);
  });

  test('gives an empty compact peers string and no peers6 when there are no peers', () => {
    expect(latin1(announceResponse(answer([])))).toBe(`${COUNTS}5:peers0:e`);
  });

  test('lists peers as dictionaries with ip, port and peer id when compact=0', () => {
    const body = announceResponse(answer([peer('10.0.0.1', 6881, '-qB4650-abcdefghijkl'), peer('2001:db8::1', 80, 'x')], false));

    expect(body.toString('utf8')).toBe(
      `${COUNTS}5:peersld2:ip8:10.0.0.17:peer id20:-qB4650-abcdefghijkl4:porti6881eed2:ip11:2001:db8::17:peer id1:x4:porti80eeee`,
    );
  });

  test('leaves peer id out with no_peer_id', () => {
    expect(announceResponse(answer([peer('10.0.0.1', 6881)], false, true)).toString('utf8')).toBe(`${COUNTS}5:peersld2:ip8:10.0.0.14:porti6881eeee`);
  });

  test('writes a dictionary the strict decoder reads back', () => {
    const { value } = bdecode(announceResponse(answer([peer('10.0.0.1', 6881), peer('::1', 1)])));

    expect(value).toEqual({
      complete: 2,
      downloaded: 7,
      incomplete: 3,
      interval: 1800,
      'min interval': 900,
      peers: Buffer.from('0a0000011ae1', 'hex'),
      peers6: Buffer.from('000000000000000000000000000000010001', 'hex'),
    });
  });
});

describe('peerBytes', () => {
  test.each([
    ['0.0.0.0', 1, '000000000001'],
    ['255.255.255.255', 65535, 'ffffffffffff'],
    ['::', 6881, '000000000000000000000000000000001ae1'],
    ['::1', 6881, '000000000000000000000000000000011ae1'],
    ['2001:db8::', 6881, '20010db80000000000000000000000001ae1'],
    ['2001:db8:85a3::8a2e:370:7334', 443, '20010db885a3000000008a2e0370733401bb'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', 1, '20010db8000000000000ff00004283290001'],
    ['fe80::1:2', 2, 'fe8000000000000000000000000100020002'],
    ['::ffff:192.0.2.128', 3, '00000000000000000000ffffc00002800003'],
    ['64:ff9b::192.0.2.33', 4, '0064ff9b0000000000000000c00002210004'],
  ])('packs %s port %i', (ip, port, hex) => {
    expect(peerBytes(ip, port)?.toString('hex')).toBe(hex);
  });

  test.each(['', 'localhost', '1.2.3', 'fe80::1%eth0', '2001:db8::1::2'])('gives nothing for "%s"', (ip) => {
    expect(peerBytes(ip, 1)).toBeUndefined();
  });
});

describe('failureResponse', () => {
  test('is a dictionary with only the failure reason', () => {
    expect(failureResponse('"port" is required.').toString('utf8')).toBe('d14:failure reason19:"port" is required.e');
  });

  test('tells the client to stop retrying a permanent failure (BEP 31)', () => {
    expect(failureResponse('expired', { permanent: true }).toString('utf8')).toBe('d14:failure reason7:expired8:retry in5:nevere');
  });

  test('counts the reason in UTF-8 bytes', () => {
    expect(failureResponse('é').toString('utf8')).toBe('d14:failure reason2:ée');
  });
});

describe('scrapeResponse', () => {
  test('keys files by the raw 20-byte info-hash (BEP 48)', () => {
    // Arrange
    const hash = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';

    // Act
    const body = scrapeResponse(hash, { complete: 2, incomplete: 1, downloaded: 5, seedBytes: 99 });

    // Assert
    expect(latin1(body)).toBe(`d5:filesd20:${latin1(Buffer.from(hash, 'hex'))}d8:completei2e10:downloadedi5e10:incompletei1eeee`);
    const { value } = bdecode(body);
    expect(Object.keys((value as { files: Record<string, unknown> }).files)).toHaveLength(1);
  });

  test('refuses an info-hash that is not 40 hex digits', () => {
    expect(() => scrapeResponse('abc', { complete: 0, incomplete: 0, downloaded: 0, seedBytes: 0 })).toThrow(TypeError);
  });
});
