/**
 * A throw-away single-node Ceph RADOS Gateway (a real S3 implementation other
 * than AWS) for integration tests, started by scripts/ceph-rgw.sh from
 * Debian's ceph packages (`scripts/ceph-rgw.sh install` installs them).
 *
 *   const why = cephAvailable();
 *   (why ? describe.skip : describe)('on Ceph RGW', () => {
 *     let rgw: CephRgw;
 *     beforeAll(async () => { rgw = await startCephRgw(); }, 120_000);
 *     afterAll(() => rgw?.stop());
 *   });
 *
 * Clients need `forcePathStyle: true` and region `us-east-1`.
 */
import { spawn, execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export interface CephRgw {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Where the cluster keeps its state and logs (removed by stop). */
  dir: string;
  /** mon, osd and radosgw pids, as recorded by the script. */
  pids: number[];
  stop(): Promise<void>;
}

export interface CephRgwOptions {
  /** Whole start-up, in ms (default 120 s; it usually takes ~3 s). */
  timeoutMs?: number;
  /** Fixed S3 port (default: the first free one from 7480). */
  port?: number;
  accessKeyId?: string;
  secretAccessKey?: string;
}

// jest runs this as CommonJS (__dirname); under tsx/ESM fall back to the cwd.
const ROOT = typeof __dirname !== 'undefined' ? resolve(__dirname, '../..') : process.cwd();
export const CEPH_RGW_SCRIPT = join(ROOT, 'scripts', 'ceph-rgw.sh');

const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool'];

const onPath = (name: string): boolean =>
  [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin'].some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** Why a Ceph RGW cannot be started here, or undefined if it can. */
export const cephAvailable = (): string | undefined => {
  if (process.platform !== 'linux') return `Ceph RGW needs Linux (this is ${process.platform})`;
  if (!existsSync(CEPH_RGW_SCRIPT)) return `${CEPH_RGW_SCRIPT} is missing`;
  const missing = BINARIES.filter((b) => !onPath(b));
  if (missing.length > 0) return `${missing.join(', ')} not installed (run scripts/ceph-rgw.sh install)`;
  return undefined;
};

const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');

/** The last lines of each daemon log in `dir`, for failure messages. */
const logTails = (dir: string, lines = 15): string => {
  const logDir = join(dir, 'log');
  if (!existsSync(logDir)) return '';
  return readdirSync(logDir)
    .filter((f) => f.endsWith('.log') || f.endsWith('.out'))
    .map((f) => {
      const text = readFileSync(join(logDir, f), 'utf8');
      return text.trim() ? `--- ${f} ---\n${tail(text, lines)}` : '';
    })
    .filter(Boolean)
    .join('\n');
};

const runStop = (dir: string): Promise<void> =>
  new Promise((ok, fail) => {
    execFile('bash', [CEPH_RGW_SCRIPT, 'stop', dir], { timeout: 30_000 }, (err, _stdout, stderr) =>
      err ? fail(new Error(`ceph-rgw.sh stop ${dir} failed: ${err.message}\n${tail(stderr, 20)}`)) : ok(),
    );
  });

/** Parses the `RGW_NAME=value` lines that `ceph-rgw.sh start` ends with. */
export const parseStartOutput = (stdout: string): Record<string, string> => {
  const vars: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(RGW_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return vars;
};

/**
 * Starts mon + memstore OSD + radosgw in a fresh temp dir and resolves once
 * the S3 endpoint answers. Rejects (after cleaning up) with the tail of the
 * script's output and of the daemon logs if it fails or times out.
 */
export async function startCephRgw(opts: CephRgwOptions = {}): Promise<CephRgw> {
  const why = cephAvailable();
  if (why) throw new Error(`cannot start Ceph RGW: ${why}`);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  // The dir is ours, not the script's, so that we can clean up after a timeout.
  const dir = mkdtempSync(join(tmpdir(), 'ceph-rgw-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (opts.port !== undefined) env.RGW_PORT = String(opts.port);
  else delete env.RGW_PORT;
  if (opts.accessKeyId) env.RGW_ACCESS_KEY = opts.accessKeyId;
  if (opts.secretAccessKey) env.RGW_SECRET_KEY = opts.secretAccessKey;
  env.CEPH_RGW_TIMEOUT = String(Math.max(5, Math.floor(timeoutMs / 1000)));

  let stdout = '';
  let stderr = '';
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>((done) => {
    const child = spawn('bash', [CEPH_RGW_SCRIPT, 'start', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM'); // the script's trap stops what it started
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, timedOut });
    });
  });

  const vars = parseStartOutput(stdout);
  if (result.code !== 0 || !vars.RGW_ENDPOINT) {
    // The script prints the daemon logs' tails itself when it fails; read
    // them here only if it could not (e.g. it was killed).
    const logs = (stdout + stderr).includes('--- tail of') ? '' : logTails(dir);
    await runStop(dir).catch(() => rmSync(dir, { recursive: true, force: true }));
    const how = result.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${result.code ?? result.signal}`;
    throw new Error(`ceph-rgw.sh start ${how}\n--- script output (tail) ---\n${tail(stdout + stderr, 40)}${logs ? `\n${logs}` : ''}`);
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint: vars.RGW_ENDPOINT,
    accessKeyId: vars.RGW_ACCESS_KEY,
    secretAccessKey: vars.RGW_SECRET_KEY,
    region: vars.RGW_REGION ?? 'us-east-1',
    dir: vars.RGW_DIR ?? dir,
    pids: (vars.RGW_PIDS ?? '').split(/\s+/).filter(Boolean).map(Number),
    stop: () => (stopped ??= runStop(vars.RGW_DIR ?? dir)),
  };
}
