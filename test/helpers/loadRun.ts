/**
 * Bounded loopback load on the local runtime with autocannon (issue #6):
 * each request kind carries its own check of the answer, so a run counts
 * wrong answers as well as errors and timeouts. Used by
 * test/integration/load.test.ts; `loadBench` is the entry point for the
 * bench script (figures: req/s, p50/p99 latency, counts per status).
 */
import autocannon from 'autocannon';
import { createHash, randomBytes } from 'node:crypto';
import { decodeTorrent, expectedPieces } from './torrentTools';
import { bucketsEnv, startTestRuntime, type TestRuntime } from './testRuntime';

export interface LoadKind {
  name: string;
  /** Raw path with query, as sent. */
  path: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** The status every answer must have. */
  status: number;
  /** Whether one answer is right (status already checked); `headers` have lower-case names. */
  check: (body: string, headers: Record<string, string>) => boolean;
}

export interface LoadFigures {
  title: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  /** Mean completed requests per second. */
  rps: number;
  /** Latency in ms. */
  p50: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  /** Answers with another status than their kind expects, or failing its check. */
  wrong: number;
  /** Completed answers per status code. */
  statuses: Record<string, number>;
  /** Completed answers per kind. */
  perKind: Record<string, number>;
  /** The first few wrong answers, for the failure message. */
  wrongSamples: string[];
}

export interface LoadOptions {
  title: string;
  connections?: number;
  durationSeconds?: number;
}

const lowerCase = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]));

/**
 * Runs `kinds` round robin on every connection for a fixed time against
 * `baseUrl` (127.0.0.1 only) and returns the figures.
 *
 * @example
 * const figures = await runLoad(rt.baseUrl, [torrentKind], { title: 'torrent', durationSeconds: 2 });
 */
export const runLoad = async (baseUrl: string, kinds: LoadKind[], opts: LoadOptions): Promise<LoadFigures> => {
  const url = new URL(baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`load runs only against 127.0.0.1, not ${url.hostname}`);
  const connections = opts.connections ?? 10;
  const durationSeconds = opts.durationSeconds ?? 3;
  const perKind: Record<string, number> = {};
  const wrongSamples: string[] = [];
  let wrong = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: durationSeconds,
    timeout: 10,
    requests: kinds.map((k) => ({
      method: k.method ?? 'GET',
      path: k.path,
      headers: k.headers,
      onResponse: (status: number, body: string, _context: object, headers: Record<string, unknown> | undefined) => {
        perKind[k.name] = (perKind[k.name] ?? 0) + 1;
        const ok = status === k.status && k.check(body ?? '', lowerCase(headers ?? {}));
        if (!ok) {
          wrong++;
          if (wrongSamples.length < 5) wrongSamples.push(`${k.name}: ${status} ${String(body).slice(0, 200)}`);
        }
      },
    })),
  });
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count ?? 0;
  return {
    title: opts.title,
    connections,
    durationSeconds,
    requests: result.requests.total,
    rps: Math.round(result.requests.total / Math.max(result.duration, 1e-3)),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    wrong,
    statuses,
    perKind,
    wrongSamples,
  };
};

/** One line of figures, for bench output. */
export const formatLoadFigures = (f: LoadFigures): string =>
  `${f.title.padEnd(22)} ${String(f.rps).padStart(6)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  max ${f.max} ms  ` +
  `n=${f.requests} errors=${f.errors} timeouts=${f.timeouts} wrong=${f.wrong}  ${JSON.stringify(f.statuses)}`;

export interface LoadFixture {
  rt: TestRuntime;
  kinds: Record<'torrent' | 'seed' | 'invalidSig' | 'invalidSeed' | 'expired' | 'missingKey', LoadKind>;
  stop(): Promise<void>;
}

const BUCKET = 'media';
const OBJECT_KEY = 'load/object.txt';

/**
 * A runtime on free ports with one object (ASCII bytes, so autocannon's
 * string bodies compare exactly), its torrent built and verified once, and
 * the request kinds of the load: valid torrent and seed links, and links
 * that must be refused.
 */
export const startLoadFixture = async (objectBytes = 1024 * 1024): Promise<LoadFixture> => {
  const rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: BUCKET }]) } });
  try {
    const bytes = Buffer.from(
      randomBytes(Math.ceil(objectBytes / 2))
        .toString('hex')
        .slice(0, objectBytes),
      'latin1',
    );
    await rt.put(BUCKET, OBJECT_KEY, bytes);
    const link = rt.link(BUCKET, OBJECT_KEY);
    const res = await fetch(link.url);
    const torrent = Buffer.from(await res.arrayBuffer());
    const { info } = decodeTorrent(torrent);
    const pieceLength = info['piece length'] as number;
    if (res.status !== 200 || !(info.pieces as Buffer).equals(expectedPieces(bytes, pieceLength))) throw new Error('the load fixture torrent does not verify');
    // What the torrent route must send for this link: these bytes exactly (ETag is a hash of them).
    const etag = `"${createHash('sha256').update(torrent).digest('base64url').slice(0, 32)}"`;
    const infoHash = res.headers.get('x-torrent-info-hash')!;
    const path = (u: string) => {
      const x = new URL(u);
      return `${x.pathname}${x.search}`;
    };
    const [from, to] = [100_000, 100_000 + 16_383];
    const seedBody = bytes.subarray(from, to + 1).toString('latin1');
    const badSig = path(link.url).replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    const badSeed = path(link.seedUrl).replace(/(\/seed\/[^.]+\.\d+\.)(.)/, (_m, a: string, c: string) => `${a}${c === 'A' ? 'B' : 'A'}`);
    const refused = (code: string) => (body: string) => {
      try {
        const j = JSON.parse(body) as Record<string, unknown>;
        return j.code === code && typeof j.message === 'string' && Object.keys(j).length === 2;
      } catch {
        return false;
      }
    };
    const kinds: LoadFixture['kinds'] = {
      torrent: {
        name: 'torrent',
        path: path(link.url),
        status: 200,
        check: (_body, h) => h.etag === etag && h['x-torrent-info-hash'] === infoHash && h['content-length'] === String(torrent.length),
      },
      seed: {
        name: 'seed',
        path: path(link.seedUrl),
        headers: { Range: `bytes=${from}-${to}` },
        status: 206,
        check: (body, h) => body === seedBody && h['content-range'] === `bytes ${from}-${to}/${bytes.length}`,
      },
      invalidSig: { name: 'invalidSig', path: badSig, status: 403, check: refused('InvalidLink') },
      invalidSeed: { name: 'invalidSeed', path: badSeed, headers: { Range: 'bytes=0-99' }, status: 403, check: refused('InvalidLink') },
      expired: { name: 'expired', path: path(rt.link(BUCKET, OBJECT_KEY, { ttlSeconds: -60 }).url), status: 403, check: refused('LinkExpired') },
      missingKey: { name: 'missingKey', path: path(rt.link(BUCKET, 'load/missing.txt').url), status: 404, check: refused('NoSuchKey') },
    };
    return { rt, kinds, stop: () => rt.stop() };
  } catch (err) {
    await rt.stop();
    throw err;
  }
};

/**
 * The load figures of the bench: torrent route, seed route, and a mix of
 * valid and invalid links, each for `durationSeconds` on `connections`.
 * Logging is lowered to warnings for the run (one access line per request
 * would measure the terminal).
 */
export const loadBench = async (opts: { durationSeconds?: number; connections?: number } = {}): Promise<LoadFigures[]> => {
  const fixture = await startLoadFixture();
  const { logger } = fixture.rt.app.services;
  const previous = logger.getLevelName();
  logger.setLogLevel('WARN');
  try {
    const { kinds } = fixture;
    const base = fixture.rt.baseUrl;
    const o = { durationSeconds: opts.durationSeconds ?? 3, connections: opts.connections ?? 10 };
    return [
      await runLoad(base, [kinds.torrent], { title: 'torrent (valid link)', ...o }),
      await runLoad(base, [kinds.seed], { title: 'seed (16 KiB range)', ...o }),
      await runLoad(base, [kinds.torrent, kinds.seed, kinds.invalidSig, kinds.invalidSeed, kinds.expired, kinds.missingKey], {
        title: 'mixed valid/invalid',
        ...o,
      }),
    ];
  } finally {
    logger.setLogLevel(previous);
    await fixture.stop();
  }
};
