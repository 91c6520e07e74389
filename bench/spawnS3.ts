import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface S3Process {
  endpoint: string;
  child: ChildProcess;
  close(): Promise<void>;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Runs a TypeScript module of bench/ in a fresh Node process (through tsx). */
export const spawnTs = (file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdio?: 'pipe' | 'inherit'; nodeArgs?: string[] } = {}): ChildProcess =>
  spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', `${HERE}${file}`, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', opts.stdio === 'inherit' ? 'inherit' : 'pipe'],
  });

/** The first stdout line of a child, parsed as JSON. */
export const firstJsonLine = async <T>(child: ChildProcess): Promise<T> => {
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`child exited with code ${code} before answering`);
  });
  const line = (async () => {
    for await (const l of lines) if (l.startsWith('{')) return JSON.parse(l) as T;
    throw new Error('child closed stdout before answering');
  })();
  return Promise.race([line, exited]);
};

/** The embedded S3 server in its own process, storing under `directory`. */
export const spawnEmbeddedS3 = async (directory: string): Promise<S3Process> => {
  const child = spawnTs('s3Child.ts', [directory], { stdio: 'inherit' });
  const { endpoint } = await firstJsonLine<{ endpoint: string }>(child);
  return {
    endpoint,
    child,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
};
