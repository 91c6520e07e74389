import type { ObjectSource } from '../../../lambda/fanout/fanoutEvents';
import { BUILD_TIMEOUT_SECONDS, FANOUT_MODEL } from '../../../lambda/fanout/fanoutModel';
import { handOff } from '../../../lambda/fanout/handOff';
import { segmentPlan } from '../../../lambda/fanout/segmentPlan';
import { createLogger } from '../../../lambda/observability/logger';
import type { CacheIdentity } from '../../../lambda/torrents/cache/torrentCache';

const GiB = 1024 ** 3;
const PL = 2 ** 24;
const log = createLogger({ level: 'SILENT' });
const T0 = 1_764_626_400_000;

const source = (size: number): ObjectSource => ({ kind: 'object', bucket: 'media', key: 'film.mkv', etag: '"e"', size });
const entry = (size: number): CacheIdentity => ({ bucket: 'media', key: 'film.mkv', etag: '"e"', size, pieceLength: PL, name: 'film.mkv' });

/** A recording StartExecution and marker writer, in the order the calls happen. */
const recorder = () => {
  const calls: Array<[string, unknown]> = [];
  const deps = {
    model: FANOUT_MODEL,
    now: () => T0,
    start: async (r: { name: string; input: string }) => {
      calls.push(['start', { name: r.name, input: JSON.parse(r.input) }]);
      return { executionArn: `arn:aws:states:us-east-1:123456789012:execution:build:${r.name}` };
    },
    handedOff: async (id: unknown, total: number, deadlineAt: number, startedAt: number) => {
      calls.push(['marker', { id, total, deadlineAt, startedAt }]);
    },
  };
  return { calls, deps };
};

describe('handOff (recording StartExecution: no state machine runs here)', () => {
  test('marks a 100 GiB build handed off until its deadline, then starts one execution named by the build with the plan, and returns', async () => {
    const { calls, deps } = recorder();
    const size = 100 * GiB;
    const handed = await handOff(deps)(source(size), PL, entry(size), log);
    const { segments } = segmentPlan(size, PL, FANOUT_MODEL);
    expect(segments).toHaveLength(5);
    expect(calls).toEqual([
      ['marker', { id: entry(size), total: size, deadlineAt: T0 + BUILD_TIMEOUT_SECONDS * 1000, startedAt: T0 }],
      ['start', { name: handed!.build, input: { build: handed!.build, source: source(size), pieceLength: PL, segments } }],
    ]);
    expect(handed).toEqual({
      build: expect.stringMatching(new RegExp(`^[0-9a-f]{40}-${T0}$`)),
      segments: 5,
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:build:${handed!.build}`,
    });
  });

  test('answers undefined, and starts nothing, for a build whose plan is one segment (it is built in one function)', async () => {
    const { calls, deps } = recorder();
    await expect(handOff(deps)(source(20 * GiB), PL, entry(20 * GiB), log)).resolves.toBeUndefined();
    expect(calls).toEqual([]);
  });

  test('passes a failed StartExecution on after writing the marker, so the caller can mark the build failed', async () => {
    const { calls, deps } = recorder();
    const refused = Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    await expect(handOff({ ...deps, start: () => Promise.reject(refused) })(source(100 * GiB), PL, entry(100 * GiB), log)).rejects.toBe(refused);
    expect(calls.map(([what]) => what)).toEqual(['marker']);
  });
});
