import { createMetrics } from '../../../lambda/observability/metrics';

/** The EMF lines `emit` writes, as { dimensions, metrics } per line. */
const emf = (emit: (m: ReturnType<typeof createMetrics>) => void) => {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.startsWith('{')),
    );
    return true;
  });
  try {
    emit(createMetrics());
  } finally {
    spy.mockRestore();
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
  return lines.map((l) => {
    const doc = JSON.parse(l);
    const def = doc._aws.CloudWatchMetrics[0];
    return {
      dimensions: Object.fromEntries((def.Dimensions as string[][]).flat().map((d) => [d, doc[d]])),
      metrics: Object.fromEntries((def.Metrics as Array<{ Name: string }>).map((m) => [m.Name, doc[m.Name]])),
    };
  });
};

describe('createMetrics', () => {
  test('writes one line per emission with exactly its own dimensions and values, one instance for all', () => {
    const lines = emf((m) => {
      m.cache(true);
      m.request('torrent', 200, 7);
      m.cache(false);
    });

    expect(lines).toEqual([
      { dimensions: { Cache: 'hit' }, metrics: { CacheLookups: 1 } },
      { dimensions: { Route: 'torrent', StatusClass: '2xx' }, metrics: { Requests: 1, Latency: 7 } },
      { dimensions: { Cache: 'miss' }, metrics: { CacheLookups: 1 } },
    ]);
  });

  test('an emission Powertools refuses (a value that is not a number) leaves nothing behind for the next one', () => {
    const lines = emf((m) => {
      expect(() => m.request('torrent', 200, 'slow' as unknown as number)).toThrow(RangeError);
      m.cache(true);
    });

    expect(lines).toEqual([{ dimensions: { Cache: 'hit' }, metrics: { CacheLookups: 1 } }]);
  });
});
