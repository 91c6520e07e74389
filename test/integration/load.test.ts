/**
 * Bounded loopback load (issue #6): autocannon against the local runtime on
 * 127.0.0.1, 10 connections for a few seconds per run, on the torrent and
 * seed routes with valid and invalid links. Every answer is checked against
 * its kind (status, and the exact bytes or headers that identify them):
 * zero errors, zero timeouts, zero wrong answers. The same runs, longer, are
 * the bench's load figures (test/helpers/loadRun.ts `loadBench`).
 */
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { formatLoadFigures, runLoad, startLoadFixture, type LoadFigures, type LoadFixture } from '../helpers/loadRun';

const CONNECTIONS = 10;
let fixture: LoadFixture;
const figures: LoadFigures[] = [];

beforeAll(async () => {
  fixture = await startLoadFixture();
});

afterAll(async () => {
  await fixture?.stop();
  if (process.env.LOAD_REPORT) process.stdout.write(`\n${figures.map(formatLoadFigures).join('\n')}\n`);
});

const clean = (f: LoadFigures) => ({ errors: f.errors, timeouts: f.timeouts, wrong: f.wrong, wrongSamples: f.wrongSamples });

test('the torrent route under load: every answer is the same verified torrent, with no error or timeout', async () => {
  const f = await runLoad(fixture.rt.baseUrl, [fixture.kinds.torrent], { title: 'torrent', connections: CONNECTIONS, durationSeconds: 2 });
  figures.push(f);
  expect(clean(f)).toEqual({ errors: 0, timeouts: 0, wrong: 0, wrongSamples: [] });
  expect(f.statuses).toEqual({ 200: f.requests });
  expect(f.requests).toBeGreaterThan(20);
}, 20_000);

test('the seed route under load: every answer is the 206 with the exact bytes of the range', async () => {
  const f = await runLoad(fixture.rt.baseUrl, [fixture.kinds.seed], { title: 'seed', connections: CONNECTIONS, durationSeconds: 2 });
  figures.push(f);
  expect(clean(f)).toEqual({ errors: 0, timeouts: 0, wrong: 0, wrongSamples: [] });
  expect(f.statuses).toEqual({ 206: f.requests });
  expect(f.requests).toBeGreaterThan(20);
}, 20_000);

test('a mix of valid, forged, expired and missing-object links: each kind gets exactly its answer', async () => {
  const k = fixture.kinds;
  const mix = [k.torrent, k.seed, k.invalidSig, k.invalidSeed, k.expired, k.missingKey];
  const f = await runLoad(fixture.rt.baseUrl, mix, { title: 'mixed', connections: CONNECTIONS, durationSeconds: 3 });
  figures.push(f);
  expect(clean(f)).toEqual({ errors: 0, timeouts: 0, wrong: 0, wrongSamples: [] });
  expect(Object.keys(f.statuses).sort()).toEqual(['200', '206', '403', '404']);
  // Round robin on every connection: each kind got its share.
  for (const kind of mix) expect(f.perKind[kind.name]).toBeGreaterThan(f.requests / mix.length / 2);
}, 20_000);

/** Waits until the runtime made no S3 call for 300 ms (requests cut off at the end of a run finish server-side). */
const quiet = async () => {
  for (let last = -1; last !== fixture.rt.s3Calls.count; ) {
    last = fixture.rt.s3Calls.count;
    await new Promise((r) => setTimeout(r, 300));
  }
};

test('refused links under load never reach S3 (no S3 call is spent on a forged or expired link)', async () => {
  await quiet();
  const calls = fixture.rt.s3Calls.count;
  const k = fixture.kinds;
  const f = await runLoad(fixture.rt.baseUrl, [k.invalidSig, k.invalidSeed, k.expired], { title: 'refused', connections: CONNECTIONS, durationSeconds: 1 });
  figures.push(f);
  expect(clean(f)).toEqual({ errors: 0, timeouts: 0, wrong: 0, wrongSamples: [] });
  expect(f.statuses).toEqual({ 403: f.requests });
  expect(fixture.rt.s3Calls.count).toBe(calls);
}, 20_000);

test('after the load the runtime still serves a torrent that verifies', async () => {
  const res = await fetch(`${fixture.rt.baseUrl}${fixture.kinds.torrent.path}`);
  const torrent = Buffer.from(await res.arrayBuffer());
  const seed = await fetch(`${fixture.rt.baseUrl}${fixture.kinds.seed.path.replace(/\?.*/, '')}`);
  const bytes = Buffer.from(await seed.arrayBuffer());
  const { info } = decodeTorrent(torrent);
  expect({ status: res.status, seed: seed.status, verifies: (info.pieces as Buffer).equals(expectedPieces(bytes, info['piece length'] as number)) }).toEqual({
    status: 200,
    seed: 200,
    verifies: true,
  });
});
