/**
 * The bench's load generator: autocannon against one loopback URL, bounded
 * in time and in request count, every answer checked (status, and one header
 * when given). `loadInChild` runs it in its own process, so it does not share
 * an event loop with the server it measures (it does share the cores).
 */
import autocannon from 'autocannon';
import { runInChild } from './child';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Stop after this many requests even if time is left. */
  maxRequests: number;
  status: number;
  /** [lower-case name, value] every answer must carry. */
  header?: [string, string];
}

export interface LoadFigures {
  requests: number;
  rps: number;
  /** Latency in ms. */
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  /** Answers with another status, or without the expected header. */
  wrong: number;
}

export const runLoad = async (o: LoadOptions): Promise<LoadFigures> => {
  const url = new URL(o.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`load runs only against 127.0.0.1, not ${url.hostname}`);
  let wrong = 0;
  const r = await autocannon({
    url: url.origin,
    connections: o.connections,
    duration: o.seconds,
    maxOverallRequests: o.maxRequests,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        path: `${url.pathname}${url.search}`,
        onResponse: (status: number, _body: string, _context: object, headers?: Record<string, unknown>) => {
          const value = o.header && Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === o.header![0])?.[1];
          if (status !== o.status || (o.header && String(value) !== o.header[1])) wrong++;
        },
      },
    ],
  });
  return {
    requests: r.requests.total,
    rps: Math.round(r.requests.total / Math.max(r.duration, 1e-3)),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    wrong,
  };
};

export const loadInChild = async (o: LoadOptions): Promise<LoadFigures> => {
  const child = await runInChild<LoadFigures>(import.meta.url, 'runLoad', [o]);
  await child.stop();
  return child.value;
};
