/**
 * The peer store on one DynamoDB table (on-demand). One partition per swarm:
 *
 * | `h` (partition) | `s` (sort)      | attributes                                          |
 * |-----------------|-----------------|-----------------------------------------------------|
 * | info-hash hex   | `d#<ip>`        | since, expiresAt (ms), ttl: a web-seed deferral     |
 * | info-hash hex   | `p#<ip>#<port>` | ip, port, peerId, left, updatedAt (ms), ttl: a peer |
 * | info-hash hex   | `stats`         | downloaded, seedBytes (counters, kept for good)     |
 *
 * `ttl` (epoch seconds) lets DynamoDB delete peers and markers, but it does
 * so lazily (hours, even days, later), so every read filters on freshness
 * itself. Sort keys order `d#` < `p#` < `stats`: announces and scrapes read
 * `s >= "p#"` (peers and counters), the web seed's view the whole partition.
 *
 * Calls: announce 2 (a write, with the Query in parallel), scrape 1, view 1,
 * markDeferred 1, addSeedBytes 1. Reads are one Query page (1 MB, some
 * thousands of peers): a swarm larger than that is counted from its first page.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { AnnounceInput, AnnounceResult, PeerRecord, PeerStore, SwarmCounts, SwarmView } from './peerStore';

/** The table's key schema and TTL attribute; the stack and the embedded local server create it from these. */
export const PEER_TABLE_SCHEMA = {
  partitionKey: { name: 'h', type: 'S' },
  sortKey: { name: 's', type: 'S' },
  timeToLiveAttribute: 'ttl',
} as const;

export interface DynamoPeerStoreOptions {
  client: DynamoDBClient;
  table: string;
}

type Item = Record<string, AttributeValue>;

const PEER_PREFIX = 'p#';
const MARKER_PREFIX = 'd#';
const STATS = 'stats';

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const num = (v: AttributeValue | undefined): number | undefined => (v?.N === undefined ? undefined : Number(v.N));
const ttlSeconds = (atMs: number) => Math.ceil(atMs / 1000);
const peerKey = (ip: string, port: number) => `${PEER_PREFIX}${ip}#${port}`;

/** Peers and markers that are still alive; the counters item has neither field and always passes. */
const LIVE_PEERS = '(attribute_not_exists(#u) OR #u > :fresh)';
const LIVE_MARKERS = '(attribute_not_exists(#x) OR #x > :now)';

interface Partition extends SwarmCounts {
  peers: PeerRecord[];
  deferredSince: Record<string, number>;
}

export class DynamoPeerStore implements PeerStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;

  constructor(opts: DynamoPeerStoreOptions) {
    this.client = opts.client;
    this.table = opts.table;
  }

  /**
   * One write (PutItem; DeleteItem on `stopped`; on `completed` a
   * TransactWriteItems that also counts the download) and one Query, sent
   * together. The announcing peer is taken out of what the Query saw and
   * counted as it is now, so the answer does not depend on whether the
   * read saw the write; `downloaded` is as read.
   */
  async announce(input: AnnounceInput): Promise<AnnounceResult> {
    const { infoHash, peer, now } = input;
    const self = peerKey(peer.ip, peer.port);
    const [, swarm] = await Promise.all([this.write(input), this.read(infoHash, now, input.peerTtlMs, false)]);
    const others = swarm.peers.filter((p) => peerKey(p.ip, p.port) !== self);
    const counts = countPeers(others);
    if (input.event !== 'stopped') counts[peer.left === 0 ? 'complete' : 'incomplete']++;
    return { ...counts, downloaded: swarm.downloaded, seedBytes: swarm.seedBytes, peers: sample(others, input.numwant) };
  }

  async scrape(infoHash: string, now: number, peerTtlMs: number): Promise<SwarmCounts> {
    const { complete, incomplete, downloaded, seedBytes } = await this.read(infoHash, now, peerTtlMs, false);
    return { complete, incomplete, downloaded, seedBytes };
  }

  async view(infoHash: string, now: number, peerTtlMs: number): Promise<SwarmView> {
    return this.read(infoHash, now, peerTtlMs, true);
  }

  /**
   * A conditional PutItem that writes the marker only where none is alive;
   * where one is, DynamoDB refuses and hands back the stored item
   * (ReturnValuesOnConditionCheckFailure), so this is one call either way.
   */
  async markDeferred(infoHash: string, ip: string, now: number, ttlMs: number): Promise<number> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { h: S(infoHash), s: S(`${MARKER_PREFIX}${ip}`), since: N(now), expiresAt: N(now + ttlMs), ttl: N(ttlSeconds(now + ttlMs)) },
          ConditionExpression: 'attribute_not_exists(#s) OR #x <= :now',
          ExpressionAttributeNames: { '#s': 's', '#x': 'expiresAt' },
          ExpressionAttributeValues: { ':now': N(now) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return now;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const since = num(err.Item?.since);
      if (since === undefined) throw new Error('DynamoDB refused the deferral marker but returned no existing one', { cause: err });
      return since;
    }
  }

  async addSeedBytes(infoHash: string, bytes: number): Promise<void> {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`addSeedBytes: ${bytes} is not a byte count`);
    if (bytes === 0) return;
    await this.client.send(new UpdateItemCommand(this.bump(infoHash, 'seedBytes', bytes)));
  }

  private write(input: AnnounceInput): Promise<unknown> {
    const { infoHash, peer, now } = input;
    const key = { h: S(infoHash), s: S(peerKey(peer.ip, peer.port)) };
    if (input.event === 'stopped') return this.client.send(new DeleteItemCommand({ TableName: this.table, Key: key }));
    const item: Item = {
      ...key,
      ip: S(peer.ip),
      port: N(peer.port),
      peerId: S(peer.peerId),
      left: N(peer.left),
      updatedAt: N(now),
      ttl: N(ttlSeconds(now + input.peerTtlMs)),
    };
    if (input.event !== 'completed') return this.client.send(new PutItemCommand({ TableName: this.table, Item: item }));
    return this.client.send(
      new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: this.table, Item: item } }, { Update: this.bump(infoHash, 'downloaded', 1) }] }),
    );
  }

  private bump(infoHash: string, counter: 'downloaded' | 'seedBytes', by: number) {
    return {
      TableName: this.table,
      Key: { h: S(infoHash), s: S(STATS) },
      UpdateExpression: 'ADD #c :by',
      ExpressionAttributeNames: { '#c': counter },
      ExpressionAttributeValues: { ':by': N(by) },
    };
  }

  /** One Query: the swarm's live peers and counters, and with `markers` its live deferral markers. */
  private async read(infoHash: string, now: number, peerTtlMs: number, markers: boolean): Promise<Partition> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: markers ? '#h = :h' : '#h = :h AND #s >= :p',
        FilterExpression: markers ? `${LIVE_PEERS} AND ${LIVE_MARKERS}` : LIVE_PEERS,
        ExpressionAttributeNames: markers ? { '#h': 'h', '#u': 'updatedAt', '#x': 'expiresAt' } : { '#h': 'h', '#s': 's', '#u': 'updatedAt' },
        ExpressionAttributeValues: { ':h': S(infoHash), ':fresh': N(now - peerTtlMs), ...(markers ? { ':now': N(now) } : { ':p': S(PEER_PREFIX) }) },
      }),
    );
    const partition: Partition = { complete: 0, incomplete: 0, downloaded: 0, seedBytes: 0, peers: [], deferredSince: {} };
    for (const item of out.Items ?? []) {
      const sort = item.s?.S ?? '';
      if (sort === STATS) {
        partition.downloaded = num(item.downloaded) ?? 0;
        partition.seedBytes = num(item.seedBytes) ?? 0;
      } else if (sort.startsWith(PEER_PREFIX)) {
        const peer = peerOf(item);
        if (peer) partition.peers.push(peer);
      } else if (sort.startsWith(MARKER_PREFIX)) {
        const since = num(item.since);
        if (since !== undefined) partition.deferredSince[sort.slice(MARKER_PREFIX.length)] = since;
      }
    }
    return { ...partition, ...countPeers(partition.peers) };
  }
}

const peerOf = (item: Item): PeerRecord | undefined => {
  const [ip, port, left, updatedAt, peerId] = [item.ip?.S, num(item.port), num(item.left), num(item.updatedAt), item.peerId?.S];
  if (ip === undefined || port === undefined || left === undefined || updatedAt === undefined || peerId === undefined) return undefined;
  return { ip, port, peerId, left, updatedAt };
};

const countPeers = (peers: PeerRecord[]) => {
  let complete = 0;
  for (const p of peers) if (p.left === 0) complete++;
  return { complete, incomplete: peers.length - complete };
};

/** At most `n` of `peers`, chosen at random (a partial Fisher-Yates shuffle of a copy). */
const sample = (peers: PeerRecord[], n: number): PeerRecord[] => {
  const pool = [...peers];
  const take = Math.min(Math.max(0, n), pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, take);
};
