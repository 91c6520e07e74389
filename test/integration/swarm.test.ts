/**
 * The swarm with real clients: private torrents that name our tracker,
 * libtorrent and aria2 finding each other through it (DHT, LSD and PEX off),
 * a web seed that steps back while the swarm can carry the load, and a
 * client whose listed seeder cannot be reached still finishing in a minute.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aria2Download } from '../helpers/btClients';
import { runSwarm } from '../helpers/ltSwarm';
import { decodeTorrent } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let rt: TestRuntime;
let work: string;

beforeAll(async () => {
  rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) } });
  work = mkdtempSync(join(tmpdir(), 'swarm-'));
});
afterAll(async () => {
  await rt?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Puts an object, fetches its link's torrent and writes it to disk. */
const torrentFor = async (key: string, bytes: Buffer) => {
  await rt.put('media', key, bytes);
  const res = await fetch(rt.link('media', key).url);
  const torrent = Buffer.from(await res.arrayBuffer());
  const file = join(work, `${key}.torrent`);
  writeFileSync(file, torrent);
  return { file, torrent, infoHash: res.headers.get('x-torrent-info-hash')!, announce: String(decodeTorrent(torrent).top.announce) };
};

const seedBytes = async (infoHash: string) => (await rt.app.services.peers!.view(infoHash, Date.now(), 120_000)).seedBytes;

test('three libtorrent clients started 2 s apart find each other through the tracker alone; the web seed steps back; every copy matches', async () => {
  const bytes = randomBytes(16 * MiB);
  const t = await torrentFor('swarm.bin', bytes);
  const dir = join(work, 'three');
  const out = await runSwarm(t.file, dir, { clients: 3, delaySeconds: 2, timeoutSeconds: 60 });
  const copies = (await seedBytes(t.infoHash)) / bytes.length;
  expect({
    private: out.private,
    trackers: out.trackers.map((u) => u.startsWith(`${rt.baseUrl}/announce/`)),
    ok: out.clients.map((c) => c.ok),
    laterClientsSawPeers: out.clients.slice(1).every((c) => c.peers > 0),
    same: [0, 1, 2].map((i) => sha(readFileSync(join(dir, `c${i}`, 'swarm.bin'))) === sha(bytes)),
    underOnePointFiveCopies: copies < 1.5,
  }).toEqual({ private: true, trackers: [true], ok: [true, true, true], laterClientsSawPeers: true, same: [true, true, true], underOnePointFiveCopies: true });
}, 120_000);

test('aria2 finds a libtorrent seeder through the tracker and takes the bytes from it, not the web seed', async () => {
  const bytes = randomBytes(16 * MiB);
  const t = await torrentFor('aria.bin', bytes);
  const seeding = runSwarm(t.file, join(work, 'aria-seeder'), { clients: 1, delaySeconds: 0, timeoutSeconds: 30, lingerSeconds: 25 });
  // The seeder downloads from the web seed (nobody else has it) and announces "completed".
  const deadline = Date.now() + 20_000;
  while ((await rt.app.services.peers!.view(t.infoHash, Date.now(), 120_000)).complete < 1 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  const before = await seedBytes(t.infoHash);
  const dir = join(work, 'aria2');
  await aria2Download(t.file, dir, 60_000);
  const fromSeed = (await seedBytes(t.infoHash)) - before;
  await seeding;
  expect({ same: sha(readFileSync(join(dir, 'aria.bin'))) === sha(bytes), webSeedShare: fromSeed / bytes.length < 0.5 }).toEqual({
    same: true,
    webSeedShare: true,
  });
}, 120_000);

test('a client whose only listed seeder cannot be reached still completes within a minute', async () => {
  const bytes = randomBytes(12 * MiB);
  const t = await torrentFor('lonely.bin', bytes);
  // A "seeder" on a port where nothing listens, announced through the tracker with a valid token.
  const port = await new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
  const fake = await fetch(`${t.announce}?peer_id=-XX0001-unreachable0&port=${port}&uploaded=0&downloaded=0&left=0&event=completed&compact=1`);
  expect(fake.status).toBe(200);
  const dir = join(work, 'lonely');
  const out = await runSwarm(t.file, dir, { clients: 1, delaySeconds: 0, timeoutSeconds: 60 });
  const view = await rt.app.services.peers!.view(t.infoHash, Date.now(), 120_000);
  expect({
    ok: out.clients[0].ok,
    withinAMinute: out.clients[0].seconds < 60,
    deferredFirst: Object.keys(view.deferredSince).length === 1,
    same: sha(readFileSync(join(dir, 'c0', 'lonely.bin'))) === sha(bytes),
  }).toEqual({ ok: true, withinAMinute: true, deferredFirst: true, same: true });
}, 120_000);
