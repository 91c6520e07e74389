/**
 * The `s3-torrent-proxy` command as users run it: `npx s3-torrent-proxy …` in
 * this checkout (npm links the checkout's own bin into its npx cache: a fresh,
 * offline cache here), its help, version, exit codes and usage errors, and
 * `link --wait --magnet` against the local runtime while a torrent is really
 * being built (an object over SYNC_GENERATE_MAX_BYTES, read through a
 * bandwidth-limited hop so the build lasts long enough to be polled).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EMBEDDED_CREDENTIALS, ensureBucket, s3ClientFor, startEmbeddedS3, type EmbeddedS3 } from '../../infra/local/embeddedS3';
import { LOCAL_CACHE_BUCKET } from '../../infra/local/startLocal';
import { CliError } from '../../infra/cli/CliError';
import { EXIT } from '../../infra/cli/exitCodes';
import { formatBytes, formatDuration, progressReporter, renderBar, renderLine, type ProgressView } from '../../infra/cli/progress';
import { waitForTorrent } from '../../infra/cli/waitForTorrent';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin', 's3-torrent-proxy.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const MiB = 1024 * 1024;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
let closedPort: number;

const baseEnv = (dir: string) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  DATA_DIR: join(dir, 'no-local-data'),
  // No local runtime unless a test names one.
  PORT: String(closedPort),
});

const spawn = (file: string, args: string[], opts: { cwd?: string; env: Record<string, string | undefined> }) =>
  new Promise<Run>((ok) => {
    execFile(file, args, { cwd: opts.cwd ?? ROOT, env: opts.env, timeout: 120_000 }, (err, stdout, stderr) =>
      ok({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3tp-cli-'));
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', () => ok()));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((ok) => probe.close(ok));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npx s3-torrent-proxy …` in the checkout, with an npm cache of its own and no network. */
const npx = (args: string[]) =>
  spawn('npx', ['s3-torrent-proxy', ...args], { env: { ...baseEnv(dir), npm_config_cache: join(dir, 'npm-cache'), npm_config_offline: 'true' } });

/** The bin itself (what npx ends up running), from any directory. */
const bin = (args: string[], env: Record<string, string | undefined> = {}, cwd?: string) =>
  spawn(process.execPath, [BIN, ...args], { cwd, env: { ...baseEnv(dir), ...env } });

describe('npx s3-torrent-proxy', () => {
  test('--version prints the package version and exits 0', async () => {
    expect(await npx(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: expect.any(String) });
  }, 120_000);

  test('--help lists the link command and the exit codes', async () => {
    const r = await npx(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: s3-torrent-proxy <command> \[options\]/);
    expect(r.stdout).toMatch(/^ {2}link +mint a share link/m);
    for (const code of ['0', '1', '2', '3', '4']) expect(r.stdout).toMatch(new RegExp(`^ {2}${code} {2}\\S`, 'm'));
  }, 120_000);

  test('link with an unknown option is a usage error (exit 2) with a clear message and no stack trace', async () => {
    const r = await npx(['link', 'media/a.bin', '--magnett']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Unknown option --magnett\.\n\nUsage: s3-torrent-proxy link/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});

describe('the bin', () => {
  test('help link and link --help print the same help of the link command', async () => {
    const [a, b] = await Promise.all([bin(['help', 'link']), bin(['link', '--help'])]);
    expect(a).toEqual({ code: 0, stdout: b.stdout, stderr: '' });
    expect(a.stdout).toMatch(/^Usage: s3-torrent-proxy link <bucket>\/<key> \[options\]/);
    for (const flag of [
      '--ttl',
      '--prefix',
      '--version',
      '--folder',
      '--magnet',
      '--wait',
      '--timeout',
      '--stats',
      '--json',
      '--api',
      '--outputs-file',
      '--local',
    ]) {
      expect(a.stdout).toContain(`  ${flag}`);
    }
  }, 60_000);

  test.each([
    [[], /^Give a command\./],
    [['mint'], /^Unknown command "mint"\./],
    [['--bogus'], /^Unknown option --bogus: give a command first\./],
    [['link'], /^Give one <bucket>\/<key>\./],
    [['link', 'nobucket'], /^"nobucket" is not <bucket>\/<key>\./],
    [['link', 'media/a.bin', '--ttl', 'forever'], /^--ttl "forever" is not seconds/],
    [['link', 'media/a.bin', '--version'], /argument missing/],
    [['link', 'media/a.bin', '--api', 'ftp://x'], /^--api "ftp:\/\/x" is not an http\(s\) URL\./],
    [['link', 'media/a.bin', '--api', 'http://127.0.0.1:9', '--local'], /^--local and --api cannot be combined\./],
    [['link', 'media/a.bin', '--outputs-file', 'missing.json'], /^--outputs-file missing\.json: no such file\./],
  ])(
    '%j is a usage error (exit 2)',
    async (args, message) => {
      const r = await bin(args);
      expect([r.code, r.stdout]).toEqual([EXIT.usage, '']);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('Usage: s3-torrent-proxy');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    },
    60_000,
  );

  test('exits 3 when the deployed API cannot be reached', async () => {
    const api = `http://127.0.0.1:${closedPort}/prod`;
    const r = await bin(['link', 'media/a.bin', '--api', api, '--region', 'eu-west-1'], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect([r.code, r.stdout]).toEqual([EXIT.unreachable, '']);
    expect(r.stderr).toContain(`api: ${api} (from --api)`);
    expect(r.stderr).toMatch(new RegExp(`^Could not reach the proxy at http://127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`, 'm'));
  }, 60_000);

  test('exits 3 when --magnet needs the local runtime and it is not running', async () => {
    const r = await bin(['link', 'media/a.bin', '--magnet']);
    expect([r.code, r.stdout]).toEqual([EXIT.unreachable, '']);
    expect(r.stderr).toContain(`--magnet needs the local runtime: start it with \`npm start\` (expected at http://127.0.0.1:${closedPort})`);
  }, 60_000);

  test('exits 1 without a deployed API, a running local runtime or local keys, and says what to do', async () => {
    const r = await bin(['link', 'media/a.bin']);
    expect([r.code, r.stdout]).toEqual([EXIT.failed, '']);
    expect(r.stderr).toMatch(/there are no local link keys at .*: run `npm start` once to create them\./);
  }, 60_000);
});

/** An HTTP hop to S3 that sends GET bodies at `bytesPerSecond` in total, so a build takes measurable time. */
const startSlowHop = async (upstream: string, bytesPerSecond: number): Promise<{ endpoint: string; server: Server }> => {
  const target = new URL(upstream);
  let nextFree = Date.now();
  const server = createServer((req, res) => {
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, async (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      for await (const chunk of upRes as AsyncIterable<Buffer>) {
        if (req.method === 'GET') {
          // One shared schedule for every connection: the total rate stays at bytesPerSecond.
          nextFree = Math.max(nextFree, Date.now()) + (chunk.length / bytesPerSecond) * 1000;
          await new Promise((ok) => setTimeout(ok, Math.max(0, nextFree - Date.now())));
        }
        if (!res.write(chunk)) await new Promise((ok) => res.once('drain', ok));
      }
      res.end();
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};

describe('link --wait --magnet while the torrent is being built (local runtime, a real 202)', () => {
  const SIZE = 8 * MiB;
  let s3: EmbeddedS3;
  let hop: { endpoint: string; server: Server };
  let rt: TestRuntime;

  beforeAll(async () => {
    s3 = await startEmbeddedS3({ port: 0, directory: join(dir, 's3') });
    const admin = s3ClientFor(s3.endpoint);
    await ensureBucket(admin, 'media');
    await ensureBucket(admin, LOCAL_CACHE_BUCKET);
    hop = await startSlowHop(s3.endpoint, 2 * MiB);
    // The runtime only sets the embedded server's credentials when it starts that server itself.
    process.env.AWS_ACCESS_KEY_ID = EMBEDDED_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_CREDENTIALS.secretAccessKey;
    rt = await startTestRuntime({
      s3Endpoint: hop.endpoint,
      env: {
        SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]),
        CACHE_BUCKET: LOCAL_CACHE_BUCKET,
        SYNC_GENERATE_MAX_BYTES: String(MiB),
        READ_PART_BYTES: String(MiB),
        READ_CONCURRENCY: '1',
      },
    });
    const bytes = Buffer.alloc(SIZE);
    for (let i = 0; i < SIZE; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    await rt.put('media', 'big.bin', bytes);
  }, 60_000);

  afterAll(async () => {
    await rt?.stop();
    hop?.server.closeAllConnections();
    await new Promise((ok) => hop?.server.close(ok));
    await s3?.close();
  });

  test('polls the 202 progress (plain lines on a non-terminal stderr), then prints the link and, last, its magnet', async () => {
    const started = Date.now();
    const r = await bin(['link', 'media/big.bin', '--magnet', '--ttl', '1h'], { PUBLIC_BASE_URL: rt.baseUrl });
    expect([r.code, r.stderr]).toEqual([0, expect.stringContaining(`api: ${rt.baseUrl} (the local runtime, running)`)]);
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('building the torrent:'));
    // The first poll comes right after the mint, while the build (about 4 s at 2 MiB/s) runs; the next follows Retry-After.
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (const line of progress)
      expect(line).toMatch(/^building the torrent: \d+\.\d% {2}[\d.]+ (B|KiB|MiB) \/ 8\.0 MiB {2}(\? B\/s|[\d.]+ (B|KiB|MiB)\/s) {2}ETA (\?|\d+:\d\d)$/);
    expect(r.stderr).toContain('the torrent is ready');
    const [link, magnet, ...rest] = r.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(link).toMatch(new RegExp(`^${rt.baseUrl}/torrent/media/big\\.bin\\?exp=\\d+&kid=local1&sig=[\\w-]{43}$`));
    const res = await fetch(link);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(magnet).toMatch(new RegExp(`^magnet:\\?xt=urn:btih:${res.headers.get('x-torrent-info-hash')}&`));
    expect(Date.now() - started).toBeGreaterThan(2_000);
  }, 120_000);
});

describe('waitForTorrent', () => {
  let server: Server;
  let url: string;
  const answers: Array<{ status: number; headers?: Record<string, string>; body: string }> = [];
  beforeAll(async () => {
    server = createServer((_req, res) => {
      const a = answers.shift() ?? { status: 500, body: '{"code":"Unexpected"}' };
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/torrent/media/big.bin?exp=1&kid=k&sig=s`;
  });
  afterAll(() => new Promise((ok) => server.close(ok)));

  const pending = (bytesDone: number, retryAfter: string) => ({
    status: 202,
    headers: { 'retry-after': retryAfter },
    body: JSON.stringify({
      code: 'TorrentPending',
      progress: { bytesDone, bytesTotal: 1000, percent: bytesDone / 10, etaSeconds: null, startedAt: new Date().toISOString() },
    }),
  });

  const recorder = () => {
    const views: ProgressView[] = [];
    return { views, reporter: { update: (v: ProgressView) => views.push(v), done: () => {} } };
  };

  test('sleeps what Retry-After says between polls and reports the rate measured between them', async () => {
    answers.push(pending(0, '3'), pending(400, '2'), { status: 200, body: 'd4:infoe' });
    const slept: number[] = [];
    let clock = 0;
    const { views, reporter } = recorder();
    const result = await waitForTorrent(url, {
      reporter,
      timeoutMs: 60_000,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += 4000; // the wall clock moves on 4 s per wait
      },
    });
    expect({ result, slept }).toEqual({ result: { polls: 2 }, slept: [3000, 2000] });
    expect(views[1]).toEqual({ bytesDone: 400, bytesTotal: 1000, rate: 100, etaSeconds: 6 });
  });

  test('a failed build is exit 1 with the proxy’s code and message', async () => {
    answers.push({ status: 503, body: '{"code":"TorrentBuildFailed","message":"The build failed."}' });
    await expect(waitForTorrent(url, { ...recorder(), timeoutMs: 60_000 })).rejects.toEqual(
      new CliError('The torrent could not be built (503 TorrentBuildFailed): The build failed.', EXIT.failed),
    );
  });

  test('gives up with exit 4 when the next poll would pass the timeout', async () => {
    answers.push(pending(10, '30'));
    const error = await waitForTorrent(url, { ...recorder(), timeoutMs: 5_000, sleep: async () => {} }).catch((e: CliError) => e);
    expect([(error as CliError).exitCode, (error as CliError).message]).toEqual([
      EXIT.timedOut,
      expect.stringMatching(/^Gave up waiting for the torrent after 5 s/),
    ]);
  });
});

describe('progress display', () => {
  const view = { bytesDone: 3 * MiB, bytesTotal: 12 * MiB, rate: 1.5 * MiB, etaSeconds: 6 };

  test('formats bytes in binary units and durations as m:ss / h:mm:ss', () => {
    expect([formatBytes(0), formatBytes(1536), formatBytes(3 * 1024 ** 3)]).toEqual(['0 B', '1.5 KiB', '3.0 GiB']);
    expect([formatDuration(5), formatDuration(75), formatDuration(3725)]).toEqual(['0:05', '1:15', '1:02:05']);
  });

  test('draws a bar with percent, bytes, rate and ETA', () => {
    expect(renderBar(view, 8)).toBe('[##......]  25.0%  3.0 MiB / 12.0 MiB  1.5 MiB/s  ETA 0:06');
    expect(renderBar({ bytesDone: 0, bytesTotal: 0 }, 4)).toBe('[....]   0.0%  0 B / 0 B  ? B/s  ETA ?');
    expect(renderLine(view)).toBe('building the torrent: 25.0%  3.0 MiB / 12.0 MiB  1.5 MiB/s  ETA 0:06');
  });

  test('redraws the bar in place on a terminal and ends its line when done; writes plain lines elsewhere', () => {
    const writes: string[] = [];
    const tty = { isTTY: true, columns: 100, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const onTty = progressReporter(tty, 60_000);
    onTty.update(view);
    onTty.update({ ...view, bytesDone: 6 * MiB });
    onTty.done();
    expect(writes).toEqual([`\r${renderBar(view, 40)}\x1b[K`, `\r${renderBar({ ...view, bytesDone: 6 * MiB }, 40)}\x1b[K`, '\n']);
    const lines: string[] = [];
    const plain = progressReporter({ isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream);
    plain.update(view);
    plain.done();
    expect(lines).toEqual([`${renderLine(view)}\n`]);
  });

  test('counts the ETA down on a terminal between polls', async () => {
    const writes: string[] = [];
    const onTty = progressReporter({ isTTY: true, columns: 100, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream, 20);
    onTty.update({ ...view, etaSeconds: 9 });
    await new Promise((ok) => setTimeout(ok, 1100));
    onTty.done();
    expect(writes[0]).toContain('ETA 0:09');
    expect(writes.at(-2)).toContain('ETA 0:08');
    expect(writes.at(-2)).toContain('3.0 MiB / 12.0 MiB');
    expect(writes.at(-1)).toBe('\n');
  });
});
