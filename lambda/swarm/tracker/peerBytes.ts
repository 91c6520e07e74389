import { isIPv4, isIPv6 } from 'node:net';

/**
 * The compact form of one peer: 4 address bytes (BEP 23) or 16 (BEP 7),
 * then the port, big-endian. Undefined for text that is no IP address.
 *
 * @example
 * peerBytes('10.0.0.1', 6881) // <Buffer 0a 00 00 01 1a e1>
 * peerBytes('2001:db8::1', 6881)?.length // 18
 */
export const peerBytes = (ip: string, port: number): Buffer | undefined => {
  const address = isIPv4(ip) ? ipv4Bytes(ip) : isIPv6(ip) && !ip.includes('%') ? ipv6Bytes(ip) : undefined;
  if (!address) return undefined;
  const out = Buffer.alloc(address.length + 2);
  address.copy(out);
  out.writeUInt16BE(port, address.length);
  return out;
};

const ipv4Bytes = (ip: string): Buffer => Buffer.from(ip.split('.').map(Number));

/** Expands `::` and a trailing dotted quad; the text has passed `isIPv6`. */
const ipv6Bytes = (ip: string): Buffer => {
  const out = Buffer.alloc(16);
  let text = ip;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    ipv4Bytes(quad[1]).copy(out, 12);
    text = `${text.slice(0, quad.index)}0:0`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  all.forEach((g, i) => {
    if (!quad || i < 6) out.writeUInt16BE(g, i * 2);
  });
  return out;
};
