/**
 * DynamoPeerStore against the embedded DynamoDB-compatible server (dynalite
 * behind infra/local/embeddedDynamo) through the real SDK: what each call
 * stores and returns, freshness without TTL deletion, and how many DynamoDB
 * calls each operation costs, counted by a middleware on the client's stack.
 */
import { DescribeTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../infra/local/embeddedDynamo';
import { DynamoPeerStore, PEER_TABLE_SCHEMA } from '../../lambda/swarm/dynamoPeerStore';
import type { AnnounceEvent, AnnounceInput } from '../../lambda/swarm/peerStore';

const TABLE = 'peers-test';
const TTL = 60_000;
const T0 = 1_800_000_000_000;

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let store: DynamoPeerStore;
/** DynamoDB commands the store sent since the last reset. */
const calls: string[] = [];

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ table: TABLE });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'testCallCounter' },
  );
  store = new DynamoPeerStore({ client, table: TABLE });
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

let swarmNo = 0;
/** A fresh swarm per test, so tests share the server but not their data. */
const newSwarm = () => (++swarmNo).toString(16).padStart(40, 'a');

const announce = (
  infoHash: string,
  ip: string,
  port: number,
  o: { event?: AnnounceEvent; left?: number; now?: number; numwant?: number; peerId?: string } = {},
) => {
  const input: AnnounceInput = {
    infoHash,
    peer: { ip, port, peerId: o.peerId ?? `peer-${ip}-${port}`, left: o.left ?? 100 },
    event: o.event ?? 'started',
    numwant: o.numwant ?? 50,
    now: o.now ?? T0,
    peerTtlMs: TTL,
  };
  return store.announce(input);
};

const addresses = (peers: Array<{ ip: string; port: number }>) => peers.map((p) => `${p.ip}:${p.port}`).sort();

/** Runs `fn` and returns the DynamoDB commands it sent. */
const counted = async (fn: () => Promise<unknown>): Promise<string[]> => {
  calls.length = 0;
  await fn();
  return [...calls];
};

describe('DynamoPeerStore', () => {
  test('creates the table with the key schema the stack uses', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));

    expect(Table?.KeySchema).toEqual([
      { AttributeName: PEER_TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: PEER_TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(PEER_TABLE_SCHEMA).toEqual({ partitionKey: { name: 'h', type: 'S' }, sortKey: { name: 's', type: 'S' }, timeToLiveAttribute: 'ttl' });
  });

  test('returns the other peers of the swarm, never the announcing one, with the counts including it', async () => {
    // Arrange
    const h = newSwarm();
    await announce(h, '10.0.0.1', 6881, { left: 0 });
    await announce(h, '10.0.0.2', 6881);

    // Act
    const result = await announce(h, '10.0.0.3', 7000, { now: T0 + 1000 });

    // Assert
    expect(result).toEqual({
      complete: 1,
      incomplete: 2,
      downloaded: 0,
      seedBytes: 0,
      peers: expect.arrayContaining([
        { ip: '10.0.0.1', port: 6881, peerId: 'peer-10.0.0.1-6881', left: 0, updatedAt: T0 },
        { ip: '10.0.0.2', port: 6881, peerId: 'peer-10.0.0.2-6881', left: 100, updatedAt: T0 },
      ]),
    });
    expect(result.peers).toHaveLength(2);
  });

  test('never hands a peer itself back, on a second announce either', async () => {
    const h = newSwarm();
    await announce(h, '10.0.0.1', 6881);

    const again = await announce(h, '10.0.0.1', 6881, { event: 'empty', now: T0 + 5000 });

    expect(again).toEqual({ complete: 0, incomplete: 1, downloaded: 0, seedBytes: 0, peers: [] });
  });

  test('keeps one record per address and port, replaced by each announce', async () => {
    // Arrange
    const h = newSwarm();
    await announce(h, '10.0.0.1', 6881, { peerId: 'old', left: 50 });
    await announce(h, '10.0.0.1', 6881, { peerId: 'new', left: 0, event: 'empty', now: T0 + 10 });
    await announce(h, '10.0.0.1', 6882);

    // Act
    const view = await store.view(h, T0 + 20, TTL);

    // Assert
    expect(view.peers.sort((a, b) => a.port - b.port)).toEqual([
      { ip: '10.0.0.1', port: 6881, peerId: 'new', left: 0, updatedAt: T0 + 10 },
      { ip: '10.0.0.1', port: 6882, peerId: 'peer-10.0.0.1-6882', left: 100, updatedAt: T0 },
    ]);
    expect([view.complete, view.incomplete]).toEqual([1, 1]);
  });

  test('removes a peer that announces stopped, and leaves it out of its own counts', async () => {
    // Arrange
    const h = newSwarm();
    await announce(h, '10.0.0.1', 6881);
    await announce(h, '10.0.0.2', 6881);

    // Act
    const stopped = await announce(h, '10.0.0.1', 6881, { event: 'stopped' });
    const after = await announce(h, '10.0.0.3', 6881);

    // Assert
    expect([stopped.complete, stopped.incomplete]).toEqual([0, 1]);
    expect(addresses(after.peers)).toEqual(['10.0.0.2:6881']);
  });

  test('forgets a peer that has not announced for the TTL, though DynamoDB has not deleted it yet', async () => {
    // Arrange
    const h = newSwarm();
    await announce(h, '10.0.0.1', 6881, { now: T0 });
    await announce(h, '10.0.0.2', 6881, { now: T0 + 30_000 });

    // Act
    const justBefore = await store.scrape(h, T0 + TTL - 1, TTL);
    const at = await announce(h, '10.0.0.3', 6881, { now: T0 + TTL });

    // Assert
    expect(justBefore).toEqual({ complete: 0, incomplete: 2, downloaded: 0, seedBytes: 0 });
    expect(addresses(at.peers)).toEqual(['10.0.0.2:6881']);
    expect([at.complete, at.incomplete]).toEqual([0, 2]);
  });

  test('counts every completed event in downloaded, and the completed peer as a seeder', async () => {
    // Arrange
    const h = newSwarm();
    await announce(h, '10.0.0.1', 6881);
    await announce(h, '10.0.0.2', 6881);

    // Act
    const done = await announce(h, '10.0.0.1', 6881, { event: 'completed', left: 0 });
    await announce(h, '10.0.0.2', 6881, { event: 'completed', left: 0 });
    const scrape = await store.scrape(h, T0 + 1, TTL);

    // Assert
    expect([done.complete, done.incomplete]).toEqual([1, 1]);
    expect(scrape).toEqual({ complete: 2, incomplete: 0, downloaded: 2, seedBytes: 0 });
  });

  test('returns at most numwant peers, a different choice among them', async () => {
    // Arrange
    const h = newSwarm();
    for (let i = 1; i <= 12; i++) await announce(h, `10.0.1.${i}`, 6881);

    // Act
    const picks = await Promise.all(Array.from({ length: 8 }, () => announce(h, '10.0.9.9', 6881, { event: 'empty', numwant: 3 })));
    const none = await announce(h, '10.0.9.9', 6881, { event: 'empty', numwant: 0 });

    // Assert
    for (const p of picks) expect(p.peers).toHaveLength(3);
    expect(new Set(picks.flatMap((p) => addresses(p.peers))).size).toBeGreaterThan(3);
    expect(none).toEqual({ complete: 0, incomplete: 13, downloaded: 0, seedBytes: 0, peers: [] });
  });

  test('keeps IPv6 peers apart from IPv4 ones and by port', async () => {
    // Arrange
    const h = newSwarm();
    await announce(h, '2001:db8::1', 6881);
    await announce(h, '2001:db8::1', 6882, { left: 0 });
    await announce(h, '10.0.0.1', 6881);

    // Act
    const result = await announce(h, '2001:db8::1', 6881, { event: 'empty' });

    // Assert
    expect(addresses(result.peers)).toEqual(['10.0.0.1:6881', '2001:db8::1:6882']);
  });

  test('keeps swarms apart', async () => {
    const [a, b] = [newSwarm(), newSwarm()];
    await announce(a, '10.0.0.1', 6881);

    const other = await announce(b, '10.0.0.2', 6881);

    expect(other).toEqual({ complete: 0, incomplete: 1, downloaded: 0, seedBytes: 0, peers: [] });
  });

  test('remembers the first deferral of an address until it expires, then starts anew', async () => {
    // Arrange
    const h = newSwarm();

    // Act
    const first = await store.markDeferred(h, '198.51.100.7', T0, 10_000);
    const again = await store.markDeferred(h, '198.51.100.7', T0 + 9_999, 10_000);
    const other = await store.markDeferred(h, '2001:db8::7', T0 + 5, 10_000);
    const afterExpiry = await store.markDeferred(h, '198.51.100.7', T0 + 10_000, 10_000);

    // Assert
    expect([first, again, other, afterExpiry]).toEqual([T0, T0, T0 + 5, T0 + 10_000]);
  });

  test('views peers, live deferral markers and counters together', async () => {
    // Arrange
    const h = newSwarm();
    await announce(h, '10.0.0.1', 6881, { left: 0 });
    await announce(h, '10.0.0.2', 6881, { event: 'completed', left: 0 });
    await store.markDeferred(h, '198.51.100.7', T0, 10_000);
    await store.markDeferred(h, '198.51.100.8', T0 - 20_000, 10_000);
    await store.addSeedBytes(h, 1000);
    await store.addSeedBytes(h, 234);

    // Act
    const view = await store.view(h, T0 + 1, TTL);

    // Assert
    expect({ ...view, peers: addresses(view.peers) }).toEqual({
      complete: 2,
      incomplete: 0,
      downloaded: 1,
      seedBytes: 1234,
      peers: ['10.0.0.1:6881', '10.0.0.2:6881'],
      deferredSince: { '198.51.100.7': T0 },
    });
  });

  test('views an unknown swarm as empty', async () => {
    expect(await store.view(newSwarm(), T0, TTL)).toEqual({ complete: 0, incomplete: 0, downloaded: 0, seedBytes: 0, peers: [], deferredSince: {} });
  });

  test('refuses a byte count that is not a non-negative integer', async () => {
    await expect(store.addSeedBytes(newSwarm(), -1)).rejects.toThrow(RangeError);
    await expect(store.addSeedBytes(newSwarm(), 1.5)).rejects.toThrow(RangeError);
  });

  test.each<[AnnounceEvent, string[]]>([
    ['started', ['PutItem', 'Query']],
    ['empty', ['PutItem', 'Query']],
    ['completed', ['TransactWriteItems', 'Query']],
    ['stopped', ['DeleteItem', 'Query']],
  ])('announces %s in two DynamoDB calls: %j', async (event, expected) => {
    // Arrange
    const h = newSwarm();
    for (let i = 1; i <= 5; i++) await announce(h, `10.0.2.${i}`, 6881);

    // Act
    const sent = await counted(() => announce(h, '10.0.2.1', 6881, { event, left: event === 'completed' ? 0 : 100 }));

    // Assert
    expect(sent.sort()).toEqual(expected.sort());
  });

  test.each<[string, string[], () => Promise<unknown>]>([
    ['a view', ['Query'], () => store.view(newSwarm(), T0, TTL)],
    ['a scrape', ['Query'], () => store.scrape(newSwarm(), T0, TTL)],
    ['a first deferral', ['PutItem'], () => store.markDeferred(newSwarm(), '198.51.100.7', T0, 1000)],
    ['counting seed bytes', ['UpdateItem'], () => store.addSeedBytes(newSwarm(), 10)],
    ['counting no seed bytes', [], () => store.addSeedBytes(newSwarm(), 0)],
  ])('costs %s the calls %j', async (_label, expected, fn) => {
    expect(await counted(fn)).toEqual(expected);
  });

  test('costs one call for a deferral already marked', async () => {
    const h = newSwarm();
    await store.markDeferred(h, '198.51.100.7', T0, 1000);

    expect(await counted(() => store.markDeferred(h, '198.51.100.7', T0 + 1, 1000))).toEqual(['PutItem']);
  });
});

describe('startEmbeddedDynamo', () => {
  test('refuses a transaction with a condition it would not run atomically', async () => {
    // Arrange
    const put = { TableName: TABLE, Item: { h: { S: newSwarm() }, s: { S: 'x' } }, ConditionExpression: 'attribute_not_exists(h)' };

    // Act
    const sent = client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: put }] }));

    // Assert
    await expect(sent).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('refuses a port already in use, and frees its port on close', async () => {
    // Arrange
    const other = await startEmbeddedDynamo({ table: 'second' });
    const port = Number(new URL(other.endpoint).port);

    // Act
    const busy = startEmbeddedDynamo({ port, table: 'third' });
    await expect(busy).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await other.close();
    const again = await startEmbeddedDynamo({ port, table: 'third' });

    // Assert
    expect(again.endpoint).toBe(`http://127.0.0.1:${port}`);
    await again.close();
  });
});
