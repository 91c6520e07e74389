/**
 * Every torrent is pinned to the object version it describes: on an
 * unversioned bucket (the embedded s3rver) the web seed of a torrent made
 * before an overwrite answers 412 ObjectChanged, never the new bytes, and
 * the share link gives the new version's torrent.
 */
import { randomBytes } from 'node:crypto';
import { decodeTorrent, expectedPieces } from '../helpers/torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

describe.each(['proxy', 'redirect'])('seed mode %s: after an overwrite of an unversioned object', (mode) => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]), SEED_MODE: mode } });
  });
  afterAll(() => rt?.stop());

  test("the old torrent's web seed answers 412 ObjectChanged and the link gives the new version's torrent", async () => {
    const [v1, v2] = [randomBytes(70_000), randomBytes(90_000)];
    await rt.put('media', 'doc.bin', v1);
    const link = rt.link('media', 'doc.bin');
    const old = decodeTorrent(Buffer.from(await (await fetch(link.url)).arrayBuffer()));
    const oldSeed = String((old.top['url-list'] as Buffer[])[0]);
    const before = await fetch(oldSeed, { headers: { Range: 'bytes=0-9' }, redirect: 'manual' });
    await before.arrayBuffer();
    await rt.put('media', 'doc.bin', v2);
    const after = await fetch(oldSeed, { headers: { Range: 'bytes=0-9' }, redirect: 'manual' });
    const body = (await after.json()) as { code: string };
    const fresh = decodeTorrent(Buffer.from(await (await fetch(link.url)).arrayBuffer()));
    expect({
      before: before.status,
      after: after.status,
      code: body.code,
      newLength: fresh.info.length,
      newPieces: (fresh.info.pieces as Buffer).equals(expectedPieces(v2, fresh.info['piece length'] as number)),
    }).toEqual({ before: mode === 'proxy' ? 206 : 302, after: 412, code: 'ObjectChanged', newLength: v2.length, newPieces: true });
  });
});
