/**
 * Item 5: one bundle per exported handler of lambda/handler.ts, built with
 * the stack's NodejsFunction options (ESM, minified, node24, SDK bundled,
 * createRequire banner) from an entry that re-exports that handler alone
 * (what ships to that function):
 * its size (raw and gzip -9) and its module init time in a fresh process
 * (median of 7, with the deployed NODE_OPTIONS=--enable-source-maps), against
 * a bundle of @aws-sdk/client-s3 alone built the same way. Imports run round
 * robin, so a noisy moment costs each the same.
 */
import { build, type BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { needsPeerTable, type FunctionRole } from '../lambda/config';
import type { Measurement } from './harness/context';
import { fmt, log, median } from './harness/stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 7;
const HANDLERS = ['torrentHandler', 'seedHandler', 'mintHandler', 'generateHandler', 'trackerHandler'];

/**
 * What the deployed functions get (infra/stack/constructs/ProxyFunctions.ts), with a key ring ARN never
 * fetched at init; each adds its FUNCTION_ROLE, and the roles of PEER_TABLE_ROLES (seed, tracker) PEER_TABLE.
 */
const LAMBDA_ENV: Record<string, string> = {
  SERVED_BUCKETS: JSON.stringify([{ name: 'bench-source', expectedOwner: '123456789012' }]),
  LINK_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-keys',
  SEED_MODE: 'redirect',
  LOG_LEVEL: 'info',
  CACHE_BUCKET: 'bench-cache',
  CACHE_PREFIX: 'torrents/',
  CACHE_BUCKET_OWNER: '123456789012',
  ASYNC_FUNCTION_NAME: 'bench-generate',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

// The two globals the Lambda runtime defines before loading a streaming handler (infra/local/lambdaRuntime.ts).
const IMPORT_SCRIPT = `
globalThis.awslambda = Object.assign(globalThis.awslambda ?? {}, { streamifyResponse: (f) => f, HttpResponseStream: { from: (s) => s } });
const t0 = performance.now();
await import(process.argv[1]);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }) + '\\n');
`;

/** The NodejsFunction bundling options of infra/stack/constructs/ProxyFunction.ts. */
const BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
};
const SOURCE_MAPS = '--enable-source-maps'; // the deployed NODE_OPTIONS

/** Milliseconds to import `specifier` in a fresh Node process. */
const importMs = (specifier: string, nodeOptions: string, env: Record<string, string>): number => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, specifier], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...LAMBDA_ENV, ...env, NODE_OPTIONS: nodeOptions },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`importing ${specifier} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number }).ms;
};

/** A handler's own environment, as the stack gives it: its role, and the peer table where the role uses it. */
const roleEnv = (handler: string): Record<string, string> => {
  const role = handler.replace('Handler', '') as FunctionRole;
  return { FUNCTION_ROLE: role, ...(needsPeerTable(role) ? { PEER_TABLE: 'bench-peers' } : {}) };
};

/** Something to import in fresh processes: its init times are collected in `runs`. */
const target = (spec: string, options: string, env: Record<string, string> = {}) => ({ spec, options, env, runs: [] as number[] });
const initMs = (t: { runs: number[] }) => median(t.runs);

const measurement: Measurement = {
  title: 'bundle sizes and module init time',
  run: async (ctx) => {
    const bundled = async (name: string, contents: string, env: Record<string, string> = {}) => {
      const outfile = join(ctx.workDir, 'bundles', `${name}.mjs`);
      await build({ ...BUNDLING, stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' }, outfile });
      const bytes = readFileSync(outfile);
      return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, ...target(pathToFileURL(outfile).href, SOURCE_MAPS, env) };
    };
    const base = await bundled('client-s3', "export * from '@aws-sdk/client-s3';");
    const handlers = await Promise.all(HANDLERS.map((h) => bundled(h, `export { ${h} } from './lambda/handler.ts';`, roleEnv(h))));
    const nodeModules = target('@aws-sdk/client-s3', SOURCE_MAPS);
    const noMaps = target(handlers[0].spec, '', handlers[0].env);
    for (let i = 0; i < RUNS; i++) for (const t of [base, ...handlers, nodeModules, noMaps]) t.runs.push(importMs(t.spec, t.options, t.env));
    const size = (t: typeof base) => `${fmt.kib(t.bytes)} (${fmt.kib(t.gzipBytes)} gz), ${fmt.ms(initMs(t))}`;
    for (const h of handlers) log(`  ${h.name}: ${size(h)}`);
    return [
      ...handlers.map((h) => ({
        what: `${h.name}: bundle size, init time (fresh process, median of ${RUNS})`,
        ours: size(h),
        baseline: `${size(base)} bundled client-s3 alone`,
        ratio: initMs(h) / initMs(base),
        data: { bytes: h.bytes, gzipBytes: h.gzipBytes, initRuns: h.runs },
      })),
      {
        what: 'torrentHandler init without --enable-source-maps; client-s3 from node_modules (unbundled)',
        ours: fmt.ms(initMs(noMaps)),
        baseline: `${fmt.ms(initMs(nodeModules))} import('@aws-sdk/client-s3')`,
        ratio: initMs(noMaps) / initMs(nodeModules),
      },
    ];
  },
};

export default measurement;
