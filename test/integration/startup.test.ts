/**
 * `npm start` as a readiness probe sees it: requests sent from the moment the
 * process starts until after it stopped are refused, answered 503 (Starting,
 * Stopping) or served, and none waits longer than a few seconds; once it
 * exited, no process of it (the embedded servers' included) is left.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processesMentioning } from '../helpers/testRuntime';

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

type Outcome = { kind: 'refused' | 'answered' | 'hung' | 'reset'; status?: number; code?: string; ms: number };

const probe = async (url: string): Promise<Outcome> => {
  const started = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    return { kind: 'answered', status: res.status, code: body.code, ms: Date.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { kind: 'hung', ms: Date.now() - started };
    if (e.cause?.code === 'ECONNREFUSED') return { kind: 'refused', ms: Date.now() - started };
    return { kind: 'reset', ms: Date.now() - started };
  }
};

test('no request hangs while npm start starts up and shuts down', async () => {
  const [port, s3Port] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 's3tp-start-'));
  const child = spawn(resolve('node_modules/.bin/tsx'), ['infra/local/start.ts'], {
    env: { ...process.env, PORT: String(port), S3_PORT: String(s3Port), DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const outcomes: Outcome[] = [];
  const url = `http://127.0.0.1:${port}/torrent/demo/nope.bin`;
  let phase: 'starting' | 'up' | 'stopping' = 'starting';
  try {
    // Probe every 20 ms (each probe at most 4 s) through start-up, a while up, and shutdown.
    const deadline = Date.now() + 60_000;
    while (phase !== 'up' && Date.now() < deadline) {
      outcomes.push(await probe(url));
      if (output.includes('Ctrl-C to stop.')) phase = 'up';
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(phase).toBe('up');
    for (let i = 0; i < 5; i++) outcomes.push(await probe(url));
    phase = 'stopping';
    child.kill('SIGTERM');
    const stopDeadline = Date.now() + 15_000;
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    while (code === undefined && Date.now() < stopDeadline) {
      outcomes.push(await probe(url));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(code).toBe(0);
    // The embedded servers' process (its command line names the data directory) stopped with it.
    expect(processesMentioning(dataDir)).toEqual([]);
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
  const answered = outcomes.filter((o) => o.kind === 'answered');
  expect({
    hung: outcomes.filter((o) => o.kind === 'hung').length,
    slowest: Math.max(...outcomes.map((o) => o.ms)) < 4000,
    // Answers are the link check's 401 once up, or an immediate 503 while starting or stopping.
    unexpected: answered.filter((o) => !(o.status === 401 || (o.status === 503 && (o.code === 'Starting' || o.code === 'Stopping')))),
    servedOnce: answered.some((o) => o.status === 401),
  }).toEqual({ hung: 0, slowest: true, unexpected: [], servedOnce: true });
}, 90_000);
