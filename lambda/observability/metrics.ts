/**
 * CloudWatch metrics as Embedded Metric Format (EMF) log lines: no API
 * calls, no extra latency; CloudWatch extracts them from the function's logs.
 * Namespace `S3TorrentProxy`.
 */
import { emitLine } from './logger';

export const NAMESPACE = 'S3TorrentProxy';

type Unit = 'Count' | 'Bytes' | 'Milliseconds';

const emit = (dimensions: Record<string, string>, values: Array<[string, number, Unit]>) => {
  emitLine(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: NAMESPACE,
            Dimensions: [Object.keys(dimensions)],
            Metrics: values.map(([Name, , Unit]) => ({ Name, Unit })),
          },
        ],
      },
      ...dimensions,
      ...Object.fromEntries(values.map(([name, value]) => [name, value])),
    }),
  );
};

export const metrics = {
  /** One request answered, by route and status class (2xx, 4xx, 5xx). */
  request: (route: string, status: number | undefined, ms: number) =>
    emit({ Route: route, StatusClass: status ? `${Math.floor(status / 100)}xx` : 'none' }, [
      ['Requests', 1, 'Count'],
      ['Latency', ms, 'Milliseconds'],
    ]),
  /** A generated-torrent cache lookup. */
  cache: (hit: boolean) => emit({ Cache: hit ? 'hit' : 'miss' }, [['CacheLookups', 1, 'Count']]),
  /** A finished build: bytes hashed and how long it took. */
  generated: (bytes: number, ms: number) =>
    emit({ Event: 'generated' }, [
      ['BytesHashed', bytes, 'Bytes'],
      ['GenerationTime', ms, 'Milliseconds'],
    ]),
};
