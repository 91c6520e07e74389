/**
 * Child-process helper: runs one exported async function of a module in a
 * fresh Node process (through tsx), so what it runs (the S3 server, a load
 * generator, a build whose RSS is measured) does not share the bench's
 * event loop or heap. Arguments and result travel as JSON. A result with a
 * `close()` keeps the child alive until `stop()`; otherwise it exits once
 * it has answered.
 *
 * This file is also the child's entry point: argv <module URL> <export> <JSON args>.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MARK = '@@bench-result ';
const SELF = fileURLToPath(import.meta.url);

export interface Child<T> {
  /** What the function returned (its functions dropped). */
  value: T;
  pid: number;
  /** Closes the child's result (if it had `close()`) and waits for the child to exit. */
  stop(): Promise<void>;
}

/**
 * @example
 * const s3 = await runInChild<{ endpoint: string }>(new URL('../../infra/local/embeddedS3.ts', import.meta.url).href, 'startEmbeddedS3', [{ port: 0, directory }]);
 * await s3.stop();
 */
export const runInChild = async <T>(moduleUrl: string, exportName: string, args: unknown[], opts: { nodeArgs?: string[] } = {}): Promise<Child<T>> => {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', SELF, moduleUrl, exportName, JSON.stringify(args)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const answer = (async () => {
    for await (const line of createInterface({ input: child.stdout })) if (line.startsWith(MARK)) return JSON.parse(line.slice(MARK.length)) as T;
    const [code] = await exited;
    throw new Error(`${exportName} in a child process exited with code ${code} before answering`);
  })();
  const value = await answer;
  child.stdout.resume(); // discard whatever it prints later, so a full pipe never blocks it
  return {
    value,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
};

// Not a top-level await: the module run here may import this file too, and would wait forever on its evaluation.
if (process.argv[1] === SELF) void serveChild();

async function serveChild(): Promise<void> {
  const [moduleUrl, exportName, json] = process.argv.slice(2);
  const mod = (await import(moduleUrl)) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const value = (await mod[exportName](...(JSON.parse(json) as unknown[]))) as { close?: () => Promise<void> } | undefined;
  process.stdout.write(`\n${MARK}${JSON.stringify(value ?? null)}\n`);
  if (typeof value?.close === 'function') {
    // Until the parent ends stdin (or goes away).
    process.stdin.resume();
    await Promise.race([once(process.stdin, 'end'), once(process.stdin, 'close'), once(process, 'SIGTERM')]);
    await value.close();
  }
  process.exit(0);
}
