/**
 * CloudWatch metrics as Embedded Metric Format lines through Powertools
 * Metrics (no API calls, no latency). One Metrics instance per composed app;
 * each emission stores its values under exactly its dimension set and
 * publishes them at once (`publishStoredMetrics` clears values and
 * dimensions), synchronously, so concurrent requests in one process never
 * share a dimension set or flush each other's values. Making an instance
 * costs more than a cached request's whole answer (a Console, environment
 * reads), so it is made once; like any Powertools instance it reads
 * POWERTOOLS_METRICS_DISABLED when it is made. Namespace `S3TorrentProxy`.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const NAMESPACE = 'S3TorrentProxy';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** One EMF line per call: `values` under exactly `dimensions`. */
type Emit = (dimensions: Record<string, string>, values: Array<[string, number, Unit]>) => void;

const emitter = (): Emit => {
  const m = new Metrics({ namespace: NAMESPACE });
  m.clearDefaultDimensions(); // no `service` dimension: alarms and dashboards key on ours
  return (dimensions, values) => {
    try {
      m.addDimensions(dimensions);
      for (const [name, value, unit] of values) m.addMetric(name, unit, value);
    } catch (err) {
      // Nothing of a failed emission may ride along with the next one.
      m.clearMetrics();
      m.clearDimensions();
      throw err;
    }
    m.publishStoredMetrics();
  };
};

/** The metrics the proxy emits; one instance per composed app. */
export interface ProxyMetrics {
  /** One request answered, by route and status class (2xx, 4xx, 5xx). */
  request(route: string, status: number | undefined, ms: number): void;
  /** A generated-torrent cache lookup. */
  cache(hit: boolean): void;
  /** A finished build: bytes hashed and how long it took. */
  generated(bytes: number, ms: number): void;
  /** A store served a torrent that failed validation against its object (by bucket). */
  badStoreTorrent(bucket: string): void;
  /** Bytes the web seed sent (proxy mode) or redirected to (redirect mode). */
  seedBytes(bytes: number): void;
  /** A web seed request answered 503 because the swarm can serve it. */
  seedDeferred(): void;
  /** One tracker announce, its latency and whether it was answered with peers. */
  announce(ms: number, ok: boolean): void;
}

export const createMetrics = (): ProxyMetrics => {
  const emit = emitter();
  return {
    request: (route, status, ms) =>
      emit({ Route: route, StatusClass: status ? `${Math.floor(status / 100)}xx` : 'none' }, [
        ['Requests', 1, MetricUnit.Count],
        ['Latency', ms, MetricUnit.Milliseconds],
      ]),
    cache: (hit) => emit({ Cache: hit ? 'hit' : 'miss' }, [['CacheLookups', 1, MetricUnit.Count]]),
    generated: (bytes, ms) =>
      emit({ Event: 'generated' }, [
        ['BytesHashed', bytes, MetricUnit.Bytes],
        ['GenerationTime', ms, MetricUnit.Milliseconds],
      ]),
    badStoreTorrent: (bucket) => emit({ Bucket: bucket }, [['BadStoreTorrents', 1, MetricUnit.Count]]),
    seedBytes: (bytes) => emit({ Event: 'seed' }, [['SeedBytes', bytes, MetricUnit.Bytes]]),
    seedDeferred: () => emit({ Event: 'seed' }, [['SeedDeferrals', 1, MetricUnit.Count]]),
    announce: (ms, ok) =>
      emit({ Event: 'announce', Outcome: ok ? 'ok' : 'failure' }, [
        ['Announces', 1, MetricUnit.Count],
        ['AnnounceLatency', ms, MetricUnit.Milliseconds],
      ]),
  };
};
