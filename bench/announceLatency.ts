/**
 * Item 8: the tracker's announce latency and its DynamoDB calls. 2,000 HTTP
 * announces (fetch, keep-alive, sequential) against the local runtime's
 * tracker, the announce URL taken from a torrent's top-level `announce`:
 * 50 peers (distinct ports on 127.0.0.1) announcing in 40 rounds, `started`
 * first, then regular announces, `completed`, and `stopped` last, so the
 * swarm holds up to 50 peers and most answers carry 49. Every answer is
 * decoded and checked (bencoded dictionary, no failure reason, compact peers).
 *
 * Baseline, same run, interleaved in 4 blocks: a plain presigned GET of a
 * 1 KiB object on the runtime's embedded S3 (s3rver, same process), with the
 * runtime's 404 route (its HTTP adapter, no handler) beside it.
 *
 * DynamoDB calls are counted on the proxy's own client: the DynamoPeerStore
 * behind `rt.app.services.peers` keeps it in a TypeScript-private field,
 * reached here by a cast (lambda/ is not changed). Sends are counted at the
 * SDK's initialize step, HTTP attempts (retries included) at its deserialize
 * step. Should the field ever go away, the calls are counted instead on a
 * DynamoPeerStore of our own against the same endpoint and table, whose
 * announce() is called directly (the row says which).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { bdecode, isDict } from '../lambda/metainfo/bencode';
import { presignGetObject } from '../lambda/s3/presignGetObject';
import { DynamoPeerStore } from '../lambda/swarm/dynamoPeerStore';
import type { AnnounceEvent } from '../lambda/swarm/peerStore';
import type { Measurement } from './harness/context';
import { sourceRef } from './harness/fixtures';
import { ratioRow } from './harness/report';
import { fmt, log, MiB, percentile, timeEach } from './harness/stats';
import { FALLBACK_BUCKET, publishObject, startSwarmRuntime } from './harness/swarm';

const PEERS = 50;
const ROUNDS = 40; // PEERS x ROUNDS = 2,000 announces
const BLOCKS = 4;
const BASELINE_PER_BLOCK = 125;
const SIZE = MiB;
const TARGET_CALLS = 2;

type Counts = { sends: Map<string, number>; attempts: number };

/** Counts every call `client` sends (by command) and every HTTP attempt it makes. */
const countCalls = (client: DynamoDBClient): Counts => {
  const counts: Counts = { sends: new Map(), attempts: 0 };
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts.sends.set(context.commandName ?? '?', (counts.sends.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchDynamoSends' },
  );
  client.middlewareStack.add(
    (next) => (args) => {
      counts.attempts++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchDynamoAttempts' },
  );
  return counts;
};
const total = (c: Counts) => [...c.sends.values()].reduce((a, b) => a + b, 0);
const breakdown = (c: Counts) => [...c.sends].map(([k, v]) => `${k.replace(/Command$/, '')} ${v}`).join(', ');

/** What peer `i` announces in round `r`: started, regular announces while downloading, completed, stopped. */
const announceOf = (i: number, r: number) => {
  const left = r >= ROUNDS - 2 ? 0 : Math.max(1, SIZE - Math.floor((SIZE * r) / (ROUNDS - 2)));
  const event: AnnounceEvent | undefined = r === 0 ? 'started' : r === ROUNDS - 2 ? 'completed' : r === ROUNDS - 1 ? 'stopped' : undefined;
  return { peerId: `-BN0001-${String(i).padStart(12, '0')}`, port: 40_000 + i, left, downloaded: SIZE - left, event };
};

const measurement: Measurement = {
  title: 'tracker announce latency vs a plain GET; DynamoDB calls per announce',
  run: async (ctx) => {
    const s = await startSwarmRuntime(join(ctx.workDir, 'announce', 'runtime'));
    try {
      const { rt } = s;
      const obj = await publishObject(s, FALLBACK_BUCKET, 'announce.bin', randomBytes(SIZE), join(ctx.workDir, 'announce'));
      await s.admin.send(new PutObjectCommand({ Bucket: FALLBACK_BUCKET, Key: 'plain.bin', Body: randomBytes(1024) }));
      const plainUrl = await presignGetObject(s.admin, sourceRef('plain.bin', FALLBACK_BUCKET), 3600);
      const notFoundUrl = `${rt.baseUrl}/no-such-route`;

      const store = rt.app.services.peers as unknown as { client?: unknown } | undefined;
      const proxyClient = store?.client instanceof DynamoDBClient ? store.client : undefined;
      const counts = proxyClient ? countCalls(proxyClient) : undefined;

      let wrong = 0;
      let peersSeen = 0;
      /** Compact peers in a valid announce answer; undefined for anything else. */
      const peersIn = (status: number, body: Buffer): number | undefined => {
        try {
          const answer = bdecode(body).value;
          if (status !== 200 || !isDict(answer) || answer['failure reason'] !== undefined || typeof answer.interval !== 'number') return undefined;
          return Buffer.isBuffer(answer.peers) && answer.peers.length % 6 === 0 ? answer.peers.length / 6 : undefined;
        } catch {
          return undefined;
        }
      };
      const announce = async (i: number, r: number) => {
        const a = announceOf(i, r);
        const q = new URLSearchParams({
          peer_id: a.peerId,
          port: String(a.port),
          uploaded: '0',
          downloaded: String(a.downloaded),
          left: String(a.left),
          compact: '1',
        });
        if (a.event) q.set('event', a.event);
        const res = await fetch(`${obj.announce}?${q}`);
        const peers = peersIn(res.status, Buffer.from(await res.arrayBuffer()));
        if (peers === undefined) wrong++;
        else peersSeen += peers;
      };
      const get = async (url: string, status: number) => {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status !== status) throw new Error(`GET ${new URL(url).pathname} answered ${res.status}, not ${status}`);
      };

      // Warm the connections (and the key ring, with one announce of a peer that then leaves).
      await timeEach(20, () => get(plainUrl, 200));
      await timeEach(20, () => get(notFoundUrl, 404));
      const warm = `${obj.announce}?${new URLSearchParams({ peer_id: '-BN0001-warmwarmwarm', port: '39999', left: '0', event: 'stopped', compact: '1' })}`;
      await timeEach(5, () => get(warm, 200));
      counts?.sends.clear();
      if (counts) counts.attempts = 0;

      const ms = { announce: [] as number[], plain: [] as number[], notFound: [] as number[] };
      let next = 0; // announce k: peer k % PEERS, round floor(k / PEERS)
      for (let b = 0; b < BLOCKS; b++) {
        ms.announce.push(
          ...(await timeEach((PEERS * ROUNDS) / BLOCKS, () => {
            const k = next++;
            return announce(k % PEERS, Math.floor(k / PEERS));
          })),
        );
        ms.plain.push(...(await timeEach(BASELINE_PER_BLOCK, () => get(plainUrl, 200))));
        ms.notFound.push(...(await timeEach(BASELINE_PER_BLOCK, () => get(notFoundUrl, 404))));
      }
      const n = ms.announce.length;
      const p = (k: keyof typeof ms, q: number) => percentile(ms[k], q);
      log(
        `  announce p50 ${fmt.ms(p('announce', 50))} p99 ${fmt.ms(p('announce', 99))}; plain GET p50 ${fmt.ms(p('plain', 50))}; 404 p50 ${fmt.ms(p('notFound', 50))}; wrong ${wrong}`,
      );

      // Calls per announce: on the proxy's own client, or (see the header) on a store of our own.
      let calls: { perAnnounce: number; attemptsPerAnnounce: number; breakdown: string; where: string };
      if (counts) {
        calls = {
          perAnnounce: total(counts) / n,
          attemptsPerAnnounce: counts.attempts / n,
          breakdown: breakdown(counts),
          where: "the proxy's DynamoDB client",
        };
      } else {
        const client = new DynamoDBClient({ region: rt.config.s3.region, endpoint: rt.config.swarm.dynamoEndpoint });
        const own = countCalls(client);
        const mine = new DynamoPeerStore({ client, table: rt.config.swarm.peerTable! });
        const N = 200;
        for (let k = 0; k < N; k++) {
          const a = announceOf(k % PEERS, Math.floor(k / PEERS) * 10);
          await mine.announce({
            infoHash: obj.infoHash,
            peer: { ip: '127.0.0.1', port: a.port, peerId: a.peerId, left: a.left },
            event: a.event ?? 'empty',
            numwant: 50,
            now: Date.now(),
            peerTtlMs: 120_000,
          });
        }
        client.destroy();
        calls = {
          perAnnounce: total(own) / N,
          attemptsPerAnnounce: own.attempts / N,
          breakdown: breakdown(own),
          where: 'a DynamoPeerStore of our own (announce() called directly)',
        };
      }
      const meanPeers = peersSeen / Math.max(1, n - wrong);
      const label = `; runtime 404 route ${fmt.ms(p('notFound', 50))}`;
      return [
        {
          ...ratioRow(
            `tracker announce p50: HTTP GET <announce URL> through the local runtime (fetch, keep-alive, sequential, n=${n} from ${PEERS} ports; ${meanPeers.toFixed(0)} peers per answer on average)`,
            p('announce', 50),
            p('plain', 50),
            { show: fmt.ms, label: ` presigned GET of a 1 KiB object on the embedded S3${label}` },
          ),
          target: 'every answer valid',
          pass: wrong === 0,
          data: {
            latency: Object.fromEntries((Object.keys(ms) as (keyof typeof ms)[]).map((k) => [k, { p50: p(k, 50), p99: p(k, 99), n: ms[k].length }])),
            wrong,
            meanPeers,
            calls,
          },
        },
        ratioRow('same, p99', p('announce', 99), p('plain', 99), { show: fmt.ms, label: `; 404 route ${fmt.ms(p('notFound', 99))}` }),
        {
          what: `DynamoDB calls per announce (counted on ${calls.where})`,
          ours: `${calls.perAnnounce.toFixed(2)} (${calls.breakdown}; HTTP attempts ${calls.attemptsPerAnnounce.toFixed(2)} per announce)`,
          baseline: '',
          target: `<= ${TARGET_CALLS}`,
          pass: calls.perAnnounce <= TARGET_CALLS,
        },
      ];
    } finally {
      await s.close();
    }
  },
};

export default measurement;
