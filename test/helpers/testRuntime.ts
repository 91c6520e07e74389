/**
 * The local runtime on free ports with a throw-away data directory, plus what
 * tests need around it: an S3 client for the embedded server, link minting
 * with the runtime's own keys, and an S3 call counter.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { EMBEDDED_ACCOUNT_ID, s3ClientFor } from '../../infra/local/embeddedS3';
import { startLocal, type LocalOptions, type LocalRuntime } from '../../infra/local/startLocal';

export interface TestRuntime extends LocalRuntime {
  admin: S3Client;
  /** S3 calls the proxy made since the last reset, as `<CommandName> <Bucket>`. */
  s3Calls: { count: number; commands: string[] };
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  link(bucket: string, key: string, opts?: { ttlSeconds?: number; prefix?: string }): { url: string; seedUrl: string; exp: number };
  stop(): Promise<void>;
}

export const bucketsEnv = (
  buckets: Array<{
    name: string;
    prefix?: string;
    source?: string;
    requesterPays?: boolean;
    expectedOwner?: string;
    swarm?: 'private' | 'public';
    seeding?: 'fallback' | 'always';
    prebuild?: boolean | { prefixes: string[] };
  }>,
) => JSON.stringify(buckets.map((b) => ({ expectedOwner: EMBEDDED_ACCOUNT_ID, ...b })));

export const startTestRuntime = async (opts: LocalOptions = {}): Promise<TestRuntime> => {
  const dataDir = mkdtempSync(join(tmpdir(), 's3tp-test-'));
  const s3Calls = { count: 0, commands: [] as string[] };
  // In-process embedded servers unless a test asks for `npm start`'s child process: quicker to start, and no test here measures throughput.
  const runtime = await startLocal({ port: 0, s3Port: 0, dataDir, demo: false, embeddedServers: 'in-process', ...opts }).catch((err) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  const admin = s3ClientFor(runtime.s3Endpoint);
  // Count every command the proxy's own client sends (the real SDK middleware stack).
  runtime.app.services.s3.middlewareStack.add(
    (next, context) => async (args) => {
      s3Calls.count++;
      s3Calls.commands.push(`${String(context.commandName)} ${(args.input as { Bucket?: string }).Bucket ?? ''}`.trim());
      return next(args);
    },
    { step: 'initialize', name: 'testCallCounter' },
  );
  const ring = parseKeyRing(runtime.keysJson);
  return {
    ...runtime,
    admin,
    s3Calls,
    put: async (bucket, key, body) => {
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    link: (bucket, key, o = {}) => {
      const minted = mintShareLink(ring, {
        baseUrl: runtime.baseUrl,
        bucket,
        key,
        prefix: o.prefix,
        exp: Math.floor(Date.now() / 1000) + (o.ttlSeconds ?? 3600),
      });
      return { ...minted, seedUrl: minted.seedUrl! }; // object and prefix links always have one
    },
    stop: async () => {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** Pids of the processes whose command line contains `text` (Linux /proc). */
export const processesMentioning = (text: string): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
