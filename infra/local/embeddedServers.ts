/**
 * The local runtime's embedded servers: s3rver (embeddedS3.ts) and dynalite
 * (embeddedDynamo.ts), started together and stopped together.
 *
 * By default they run in a child process of their own (embeddedServersProcess.ts),
 * as a real store would: every byte they read from disk, frame and send is
 * then off the proxy's event loop, which only hashes and streams. In the
 * proxy's process, s3rver's work and the proxy's shared one thread and a
 * 1 GiB object's first torrent took 2.5x as long as reading it through the
 * seed route (bench item 10). `in-process` remains for tests, which start
 * many runtimes and measure no throughput.
 *
 * The child never outlives the runtime: it stops when told to (close()),
 * on SIGTERM, and when its IPC channel to the parent closes, which happens
 * whenever the parent exits, however it dies (SIGKILL included). It ignores
 * SIGINT: Ctrl-C reaches the whole process group, and the parent stops it
 * only after its own requests in flight have drained.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './embeddedDynamo';
import { startEmbeddedS3, type EmbeddedS3 } from './embeddedS3';

/** Where the embedded servers run. */
export type ServerPlacement = 'child-process' | 'in-process';

export interface EmbeddedServersOptions {
  placement: ServerPlacement;
  /** s3rver on 127.0.0.1:`port` (0: any free port), data under `directory`; omitted: no embedded S3. */
  s3?: { port: number; directory: string };
  /** dynalite (in memory) on 127.0.0.1:`port` with the peer table `table`; omitted: no embedded DynamoDB. */
  dynamo?: { port: number; table: string };
}

/** Where the started servers listen (what the child reports once it is ready). */
export interface ServerEndpoints {
  s3?: { endpoint: string; port: number };
  dynamo?: { endpoint: string };
}

export interface EmbeddedServers extends ServerEndpoints {
  /** The servers' process: the child's pid, or this process's. */
  pid: number;
  close(): Promise<void>;
}

/** What the child sends over IPC: ready with its endpoints, or why it could not start. */
export type ServersMessage = { type: 'ready'; endpoints: ServerEndpoints } | { type: 'failed'; message: string; code?: string };

const CHILD_ENTRY = fileURLToPath(new URL('./embeddedServersProcess.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How long a child that was told to stop may take before it is killed. */
const STOP_GRACE_MS = 5000;

/**
 * Starts the servers `opts` asks for where it says; resolves once both
 * listen (and the peer table exists). A busy port rejects with its code
 * (EADDRINUSE), whichever process it happened in.
 */
export const startEmbeddedServers = (opts: EmbeddedServersOptions): Promise<EmbeddedServers> =>
  opts.placement === 'in-process' ? startHere(opts) : startInChild(opts);

const startHere = async (opts: EmbeddedServersOptions): Promise<EmbeddedServers> => {
  const s3: EmbeddedS3 | undefined = opts.s3 ? await startEmbeddedS3(opts.s3) : undefined;
  let dynamo: EmbeddedDynamo | undefined;
  try {
    dynamo = opts.dynamo ? await startEmbeddedDynamo(opts.dynamo) : undefined;
  } catch (err) {
    await s3?.close();
    throw err;
  }
  return {
    s3: s3 && { endpoint: s3.endpoint, port: s3.port },
    dynamo: dynamo && { endpoint: dynamo.endpoint },
    pid: process.pid,
    close: async () => {
      await dynamo?.close();
      await s3?.close();
    },
  };
};

const startInChild = async (opts: EmbeddedServersOptions): Promise<EmbeddedServers> => {
  const spec: EmbeddedServersOptions = { ...opts, placement: 'in-process' };
  const child = fork(CHILD_ENTRY, [JSON.stringify(spec)], {
    cwd: PROJECT_ROOT,
    // Not the parent's execArgv (jest's, or tsx's own flags): TypeScript through tsx, and OpenSSL's legacy
    // provider, which s3rver needs for its DES continuation tokens whether or not NODE_OPTIONS says so.
    execArgv: ['--openssl-legacy-provider', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const endpoints = await new Promise<ServerEndpoints>((ok, fail) => {
    child.once('message', (m: ServersMessage) => {
      if (m.type === 'ready') ok(m.endpoints);
      else fail(Object.assign(new Error(m.message), { code: m.code }));
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`the embedded servers' process exited (${signal ?? code}) before it was ready`)));
  }).catch(async (err: unknown) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return {
    ...endpoints,
    pid: child.pid!,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
};
