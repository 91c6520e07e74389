/**
 * What a measurement is, and the shared resources it may ask for. A
 * measurement is one module under bench/ whose default export is a
 * `Measurement`; run.ts lists them by item number. Resources are made on
 * first use and torn down once, at the end of the run.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { s3ClientFor } from '../../infra/local/embeddedS3';
import type { Config } from '../../lambda/config';
import { runInChild } from './child';
import { benchConfig, writeFixture } from './fixtures';
import type { Row } from './report';
import { GiB, log, since } from './stats';

export interface Measurement {
  /** One line for the progress log: what is measured, against what. */
  title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

export interface BenchS3 {
  endpoint: string;
  /** The server's process, whose CPU time a measurement may count. */
  pid: number;
  /** The embedded server's admin client, for setup (what is measured uses the Lambda's own client). */
  admin: S3Client;
  /** The Lambda's config for this endpoint (see benchConfig). */
  config(extra?: Record<string, string>): Config;
}

export interface BenchContext {
  /** Scratch directory of this run, deleted at its end. */
  workDir: string;
  /** The 1 GiB fixture file (AES-CTR keystream, seed 1), written on first use. */
  fixtureFile(): Promise<string>;
  /** The embedded S3 server (s3rver) in its own process, as a real store would be; started on first use. */
  s3(): Promise<BenchS3>;
  /** Figures one measurement leaves for a later one to cross-check, e.g. `fixtureInfoHash:<who>`. */
  shared: Map<string, string>;
}

const lazy = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined;
  const get = () => {
    made ??= make();
    return made;
  };
  return Object.assign(get, { made: () => made });
};

export const createContext = (workDir: string): BenchContext & { close(): Promise<void> } => {
  mkdirSync(workDir, { recursive: true });
  const fixtureFile = lazy(async () => {
    const path = join(workDir, 'bench-1gib.bin');
    const t0 = performance.now();
    await writeFixture(path, GiB);
    log(`wrote the 1 GiB fixture in ${(since(t0) / 1000).toFixed(1)} s`);
    return path;
  });
  const server = lazy(async () => {
    const embeddedS3 = new URL('../../infra/local/embeddedS3.ts', import.meta.url).href;
    const child = await runInChild<{ endpoint: string }>(embeddedS3, 'startEmbeddedS3', [{ port: 0, directory: join(workDir, 's3') }]);
    const { endpoint } = child.value;
    const s3: BenchS3 = { endpoint, pid: child.pid, admin: s3ClientFor(endpoint), config: (extra) => benchConfig(endpoint, extra) };
    return { child, s3 };
  });
  return {
    workDir,
    shared: new Map(),
    fixtureFile,
    s3: async () => (await server()).s3,
    close: async () => {
      const started = await server.made()?.catch(() => undefined);
      started?.s3.admin.destroy();
      await started?.child.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
};
