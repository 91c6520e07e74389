import { buildIdFor, entryOf } from '../../../lambda/fanout/buildEntry';
import { BUILD_ID, type FanoutBuild, type ObjectSource } from '../../../lambda/fanout/fanoutEvents';
import { FANOUT_MODEL } from '../../../lambda/fanout/fanoutModel';
import { segmentPlan } from '../../../lambda/fanout/segmentPlan';
import { fanoutInput, startFanout } from '../../../lambda/fanout/startFanout';
import { choosePieceLength } from '../../../lambda/metainfo/choosePieceLength';
import { createLogger } from '../../../lambda/observability/logger';

const TiB = 1024 ** 4;
const log = createLogger({ level: 'SILENT' });
const source: ObjectSource = {
  kind: 'object',
  bucket: 'media',
  key: 'huge/archive.tar',
  versionId: 'v1',
  etag: '"e-1"',
  size: 5 * TiB,
  lastModified: 1_764_626_400_000,
};

describe('startFanout', () => {
  test('starts one execution named by the build id, its input the build and its 300 planned segments', async () => {
    const build: FanoutBuild = { build: buildIdFor(entryOf(source, true), 1_764_626_400_123), source, pieceLength: choosePieceLength(source.size) };
    const input = fanoutInput(build, segmentPlan(source.size, build.pieceLength, FANOUT_MODEL));
    const calls: Array<{ name: string; input: string }> = [];
    const start = async (r: { name: string; input: string }) => {
      calls.push(r);
      return { executionArn: `arn:aws:states:us-east-1:1:execution:b:${r.name}` };
    };
    const arn = await startFanout(start, input, log);

    expect(calls).toHaveLength(1);
    expect(calls[0].name).toMatch(/^[0-9a-f]{40}-1764626400123$/);
    expect(BUILD_ID.test(calls[0].name)).toBe(true);
    expect(JSON.parse(calls[0].input)).toEqual({ ...build, segments: input.segments });
    expect(input.segments).toHaveLength(300);
    // 5 TiB's plan is far inside one execution's 256 KiB input.
    expect(Buffer.byteLength(calls[0].input)).toBeLessThan(32 * 1024);
    expect(arn).toBe(`arn:aws:states:us-east-1:1:execution:b:${calls[0].name}`);
  });

  test('names private and public builds of one version apart, and a restart apart from the build before it', () => {
    const ids = [buildIdFor(entryOf(source, true), 1), buildIdFor(entryOf(source, false), 1), buildIdFor(entryOf(source, true), 2)];
    expect(new Set(ids).size).toBe(3);
  });

  test('refuses an input larger than Step Functions accepts, before calling it', async () => {
    const build: FanoutBuild = { build: 'b', source, pieceLength: choosePieceLength(source.size) };
    const segments = Array.from({ length: 5000 }, (_, index) => ({ index, start: index * 2 ** 30, end: (index + 1) * 2 ** 30 }));
    let called = false;
    const start = async () => {
      called = true;
      return {};
    };
    await expect(startFanout(start, { ...build, segments }, log)).rejects.toThrow(/above 262144/);
    expect(called).toBe(false);
  });
});
