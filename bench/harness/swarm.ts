/**
 * What the swarm items (6-8) share: the local runtime (infra/local/startLocal.ts,
 * in this process, with its embedded S3 and DynamoDB-compatible servers)
 * serving one bucket per seeding mode; objects put through the embedded
 * server's admin client and their torrents fetched through a share link;
 * and a swarm of real libtorrent clients (scripts/lt_swarm.py, one Python
 * process) on 127.0.0.1 whose every copy is checked against the object.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EMBEDDED_ACCOUNT_ID, s3ClientFor } from '../../infra/local/embeddedS3';
import { startLocal, type LocalRuntime } from '../../infra/local/startLocal';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { bdecode, isDict } from '../../lambda/metainfo/bencode';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // the system one: python3-libtorrent
const LT_SWARM = fileURLToPath(new URL('../../scripts/lt_swarm.py', import.meta.url));

/** Served with the defaults (`swarm: private`, `seeding: fallback`): the web seed steps back while the swarm has seeders. */
export const FALLBACK_BUCKET = 'bench';
/** `seeding: always`: the web seed serves every request (the baseline). */
export const ALWAYS_BUCKET = 'bench-always';

export interface SwarmRuntime {
  rt: LocalRuntime;
  /** The embedded S3 server's admin client (setup only). */
  admin: S3Client;
  /** A share link's torrent URL, valid for an hour. */
  link(bucket: string, key: string): string;
  close(): Promise<void>;
}

export const startSwarmRuntime = async (dataDir: string): Promise<SwarmRuntime> => {
  const rt = await startLocal({
    port: 0,
    s3Port: 0,
    dataDir,
    demo: false,
    env: {
      SERVED_BUCKETS: JSON.stringify([
        { name: FALLBACK_BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, seeding: 'fallback' },
        { name: ALWAYS_BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, seeding: 'always' },
      ]),
    },
  });
  const admin = s3ClientFor(rt.s3Endpoint);
  const ring = parseKeyRing(rt.keysJson);
  return {
    rt,
    admin,
    link: (bucket, key) => mintShareLink(ring, { baseUrl: rt.baseUrl, bucket, key, exp: Math.floor(Date.now() / 1000) + 3600 }).url,
    close: async () => {
      admin.destroy();
      await rt.close();
    },
  };
};

export interface PublishedObject {
  bytes: Buffer;
  sha256: string;
  /** The .torrent, written to disk for the clients. */
  file: string;
  infoHash: string;
  /** The torrent's top-level `announce`: our tracker, with this swarm's token. */
  announce: string;
  /** `info.name`: the file name each client saves. */
  name: string;
  private: boolean;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Puts `bytes` at bucket/key and fetches its torrent through a share link (built now: sync generation). */
export const publishObject = async (s: SwarmRuntime, bucket: string, key: string, bytes: Buffer, dir: string): Promise<PublishedObject> => {
  await s.admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.length }));
  const res = await fetch(s.link(bucket, key));
  const torrent = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`the torrent of ${bucket}/${key} answered ${res.status}: ${torrent.toString('utf8').slice(0, 200)}`);
  const top = bdecode(torrent).value;
  if (!isDict(top) || !isDict(top.info) || !Buffer.isBuffer(top.announce) || !Buffer.isBuffer(top.info.name))
    throw new Error(`the torrent of ${bucket}/${key} has no announce URL or no info.name`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${key}.torrent`);
  writeFileSync(file, torrent);
  return {
    bytes,
    sha256: sha256(bytes),
    file,
    infoHash: res.headers.get('x-torrent-info-hash')!,
    announce: top.announce.toString('utf8'),
    name: top.info.name.toString('utf8'),
    private: top.info.private === 1,
  };
};

export interface SwarmOptions {
  clients: number;
  /** Seconds between client starts. */
  delaySeconds: number;
  timeoutSeconds: number;
  /** Download limit per client in bytes/s (loopback peers and the web seed included); 0 = none. */
  rate: number;
  /** How often the script samples its clients (s): the resolution of `seconds`. */
  pollSeconds?: number;
}

export interface SwarmClient {
  ok: boolean;
  /** From add_torrent to seeding. */
  seconds: number;
  /** Seconds after the first client's start. */
  startedAt: number;
  /** Distinct BitTorrent peers it was connected to. */
  peers: number;
  /** Payload bytes sampled from web-seed and from peer connections (lower bounds), and the torrent's total. */
  webSeed: number;
  fromPeers: number;
  payload: number;
  errors: string[];
  /** Its copy on disk has the object's sha256. */
  verified: boolean;
}

export interface SwarmResult {
  clients: SwarmClient[];
  private: boolean;
  trackers: string[];
}

/** Runs scripts/lt_swarm.py on `obj`'s torrent in `dir`, then checks every client's copy (sha256 against the object). */
export const runSwarm = async (obj: PublishedObject, dir: string, o: SwarmOptions): Promise<SwarmResult> => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing (the swarm items need python3-libtorrent)`);
  const args = [
    LT_SWARM,
    obj.file,
    dir,
    String(o.clients),
    String(o.delaySeconds),
    String(o.timeoutSeconds),
    String(o.rate),
    '0',
    String(o.pollSeconds ?? 0.05),
  ];
  const timeout = (o.timeoutSeconds + 20) * 1000;
  let stdout: string;
  try {
    ({ stdout } = await run(PYTHON, args, { timeout, maxBuffer: 1 << 20 }));
  } catch (err) {
    // Exit status 1: some client did not finish; its line still says which.
    const e = err as { stdout?: string; stderr?: string; message: string };
    if (!e.stdout?.trim()) throw new Error(`lt_swarm.py failed: ${e.stderr?.trim() || e.message}`);
    stdout = e.stdout;
  }
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as Omit<SwarmResult, 'clients'> & { clients: Omit<SwarmClient, 'verified'>[] };
  const copy = (i: number) => join(dir, `c${i}`, obj.name);
  return {
    ...out,
    clients: out.clients.map((c, i) => ({ ...c, verified: existsSync(copy(i)) && sha256(readFileSync(copy(i))) === obj.sha256 })),
  };
};

/**
 * The web seed's byte counter of a swarm, once it stops moving: the seed
 * route adds each response's bytes when its stream ends, without waiting
 * (swarmGate.countSeedBytes), so the last ones land a moment after the
 * clients have gone.
 */
export const settledSeedBytes = async (rt: LocalRuntime, infoHash: string): Promise<number> => {
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const now = (await rt.app.services.peers!.view(infoHash, Date.now(), 120_000)).seedBytes;
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
};
