/**
 * The local runtime's embedded servers in a child process of their own (as
 * `npm start` runs them): they serve what the proxy needs, and never outlive
 * the runtime, whether it closes, fails to start or is killed.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LOCAL_PEER_TABLE, startLocal } from '../../infra/local/startLocal';
import { bucketsEnv, processesMentioning, startTestRuntime } from '../helpers/testRuntime';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitUntil = async (what: string, done: () => boolean, ms: number) => {
  for (const deadline = Date.now() + ms; !done(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
  }
};

const listening = (port = 0) =>
  new Promise<Server>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(port, '127.0.0.1', () => ok(s));
  });

test('serves S3 (continuation tokens included) and DynamoDB from a child process that close() stops', async () => {
  const rt = await startTestRuntime({ embeddedServers: 'child-process', env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) } });
  const pid = rt.serversPid!;
  let stopped = false;
  try {
    expect({ child: pid !== process.pid, alive: alive(pid) }).toEqual({ child: true, alive: true });
    for (const key of ['a.bin', 'b.bin', 'c.bin']) await rt.put('media', key, `bytes of ${key}`);
    // s3rver's continuation tokens are DES-encrypted: without OpenSSL's legacy provider in its process, page 2 fails.
    const first = await rt.admin.send(new ListObjectsV2Command({ Bucket: 'media', MaxKeys: 2 }));
    const second = await rt.admin.send(new ListObjectsV2Command({ Bucket: 'media', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: rt.config.swarm.dynamoEndpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const tables = await dynamo.send(new ListTablesCommand({})).finally(() => dynamo.destroy());
    const torrent = await fetch(rt.link('media', 'a.bin').url);
    expect({
      pages: [first.Contents?.map((o) => o.Key), second.Contents?.map((o) => o.Key)],
      tables: tables.TableNames,
      torrent: [torrent.status, torrent.headers.get('x-torrent-source')],
    }).toEqual({ pages: [['a.bin', 'b.bin'], ['c.bin']], tables: [LOCAL_PEER_TABLE], torrent: [200, 'generated'] });
    await torrent.arrayBuffer();
    await rt.stop();
    stopped = true;
    expect(alive(pid)).toBe(false);
  } finally {
    if (!stopped) await rt.stop();
  }
}, 60_000);

test('the servers process exits when the runtime process is killed with SIGKILL', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 's3tp-kill-'));
  const script = `import { startLocal } from './infra/local/startLocal.ts';
const rt = await startLocal({ port: 0, s3Port: 0, dataDir: ${JSON.stringify(dataDir)}, demo: false, embeddedServers: 'child-process' });
console.log('SERVERS ' + rt.serversPid);`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let serversPid: number | undefined;
    for await (const line of createInterface({ input: parent.stdout })) {
      const m = /^SERVERS (\d+)$/.exec(line);
      if (m) {
        serversPid = Number(m[1]);
        break;
      }
    }
    expect(serversPid !== undefined && alive(serversPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitUntil('the servers process did not exit', () => !alive(serversPid!), 5000);
    expect(processesMentioning(dataDir)).toEqual([]);
  } finally {
    parent.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);

test('a busy S3 port fails start-up with EADDRINUSE and leaves neither the proxy port nor a process behind', async () => {
  const busy = await listening();
  const free = await listening();
  const [s3Port, port] = [busy, free].map((s) => (s.address() as { port: number }).port);
  await new Promise<void>((ok) => free.close(() => ok()));
  const dataDir = mkdtempSync(join(tmpdir(), 's3tp-busy-'));
  try {
    const failure = await startLocal({ port, s3Port, dataDir, demo: false, embeddedServers: 'child-process' }).then(
      () => 'started',
      (err: NodeJS.ErrnoException) => err.code,
    );
    const reopened = await listening(port).then(
      (s) => new Promise<string>((ok) => s.close(() => ok('free'))),
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect({ failure, proxyPort: reopened, processes: processesMentioning(dataDir) }).toEqual({ failure: 'EADDRINUSE', proxyPort: 'free', processes: [] });
  } finally {
    await new Promise<void>((ok) => busy.close(() => ok()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
