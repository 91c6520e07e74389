import { isIPv4, isIPv6 } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AnnounceEvent } from '../peerStore';
import { checkQueryInfoHash, singleQuery } from './trackerQuery';
import { TrackerFailure } from './TrackerFailure';

/** An announce as the tracker acts on it: validated once, here. */
export interface AnnounceRequest {
  /** Opaque, as decoded by API Gateway (binary bytes may have become replacement characters). */
  peerId: string;
  /** The address the request came from (IPv4 dotted quad, or canonical IPv6 text); never a query `ip`. */
  ip: string;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: AnnounceEvent;
  /** BEP 23 compact peer lists (the default). */
  compact: boolean;
  /** Leave `peer id` out of non-compact peer dictionaries. */
  noPeerId: boolean;
  /** Peers wanted, already capped at the configured maximum. */
  numwant: number;
}

export interface ParseAnnounceOptions {
  /** The swarm named by the token (40 lowercase hex); a readable query `info_hash` must equal it. */
  infoHash: string;
  /** The most peers one answer carries. */
  maxPeers: number;
}

export const DEFAULT_NUMWANT = 50;
const MAX_PEER_ID_LENGTH = 64;
const COUNTER = /^\d{1,16}$/;
const EVENTS = new Map<string, AnnounceEvent>([
  ['started', 'started'],
  ['completed', 'completed'],
  ['stopped', 'stopped'],
  ['empty', 'empty'],
  ['', 'empty'],
  ['paused', 'empty'],
]);

const fail = (reason: string) => new TrackerFailure(reason);

const counter = (q: Map<string, string>, name: string, fallback?: number): number => {
  const text = q.get(name);
  if (text === undefined && fallback !== undefined) return fallback;
  if (text === undefined) throw fail(`"${name}" is required.`);
  const n = Number(text);
  if (!COUNTER.test(text) || !Number.isSafeInteger(n)) throw fail(`"${name}" must be a non-negative integer.`);
  return n;
};

const flag = (q: Map<string, string>, name: string, fallback: boolean): boolean => {
  const text = q.get(name);
  if (text === undefined) return fallback;
  if (text !== '0' && text !== '1') throw fail(`"${name}" must be 0 or 1.`);
  return text === '1';
};

/**
 * The address a peer is reached at: API Gateway's source IP, IPv4-mapped
 * IPv6 as IPv4, IPv6 in its canonical text (one peer, one store key).
 */
export const peerAddress = (sourceIp: string | undefined): string => {
  const ip = sourceIp ?? '';
  if (isIPv4(ip)) return ip;
  const unknown = () => fail('The tracker cannot tell the address this request came from.');
  if (!isIPv6(ip) || ip.includes('%')) throw unknown();
  let canonical: string;
  try {
    canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    throw unknown();
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [hi, lo] = [Number.parseInt(mapped[1], 16), Number.parseInt(mapped[2], 16)];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
};

/**
 * Reads an announce (BEP 3, with BEP 23's `compact` and `no_peer_id`) from
 * an API Gateway event. Throws a TrackerFailure naming the first problem.
 * `event=paused` (BEP 21, a partial seed) counts as a regular announce.
 */
export const parseAnnounce = (event: APIGatewayProxyEvent, opts: ParseAnnounceOptions): AnnounceRequest => {
  const q = singleQuery(event);
  checkQueryInfoHash(q.get('info_hash'), opts.infoHash);
  const peerId = q.get('peer_id');
  if (peerId === undefined) throw fail('"peer_id" is required.');
  if (peerId.length === 0 || peerId.length > MAX_PEER_ID_LENGTH) throw fail(`"peer_id" must be 1 to ${MAX_PEER_ID_LENGTH} characters.`);
  const port = counter(q, 'port');
  if (port < 1 || port > 65535) throw fail('"port" must be a number from 1 to 65535.');
  const announced = EVENTS.get(q.get('event') ?? '');
  if (announced === undefined) throw fail('"event" must be started, completed, stopped or empty.');
  const wanted = q.get('numwant');
  const numwant = wanted === undefined ? DEFAULT_NUMWANT : /^\d+$/.test(wanted) ? Number(wanted) : Number.NaN;
  if (Number.isNaN(numwant)) throw fail('"numwant" must be a non-negative integer.');
  return {
    peerId,
    ip: peerAddress(event.requestContext?.identity?.sourceIp),
    port,
    uploaded: counter(q, 'uploaded', 0),
    downloaded: counter(q, 'downloaded', 0),
    left: counter(q, 'left'),
    event: announced,
    compact: flag(q, 'compact', true),
    noPeerId: flag(q, 'no_peer_id', false),
    numwant: Math.min(numwant, opts.maxPeers),
  };
};
