import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { log, median } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const HANDLERS = ['torrentHandler', 'seedHandler', 'mintHandler', 'generateHandler'] as const;

export interface BundleFigures {
  name: string;
  bytes: number;
  gzipBytes: number;
  /** Median ms to import the bundle in a fresh process (module evaluation and cold-start work). */
  initMs: number;
  initRuns: number[];
  ratio?: number;
}

export interface BundlesResult {
  handlers: BundleFigures[];
  /** The same bundler options over `export * from '@aws-sdk/client-s3'`. */
  clientS3Bundle: BundleFigures;
  /** `import('@aws-sdk/client-s3')` from node_modules, unbundled. */
  clientS3NodeModulesMs: number;
  /** torrentHandler init without --enable-source-maps (the stack sets it in NODE_OPTIONS). */
  torrentInitNoSourceMapsMs: number;
}

/** The NodejsFunction bundling options of infra/stack/TorrentProxyStack.ts, for one entry. */
const bundle = async (contents: string, outfile: string): Promise<void> => {
  await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    outfile,
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
  });
};

// What the deployed functions get (TorrentProxyStack: common + builds), with a key ring ARN that is never fetched at init.
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

/** Milliseconds to import `specifier` in a fresh Node process, median of `runs`. */
const importMs = (specifier: string, runs: number, nodeOptions: string): number[] => {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, specifier], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...LAMBDA_ENV, NODE_OPTIONS: nodeOptions },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`importing ${specifier} failed: ${r.stderr}`);
    out.push((JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number }).ms);
  }
  return out;
};

const sizes = (name: string, file: string): BundleFigures => {
  const bytes = readFileSync(file);
  return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, initMs: NaN, initRuns: [] };
};

/**
 * Item 5: one bundle per exported handler, built like the stack builds them
 * (ESM, minified, node24, SDK bundled, createRequire banner), from an entry
 * that re-exports that handler alone; its size (raw and gzip -9) and its
 * module init time in a fresh process (median of `runs`, with the deployed
 * NODE_OPTIONS=--enable-source-maps), vs a bundle of @aws-sdk/client-s3 alone.
 */
export const measureBundles = async (outDir: string, runs: number): Promise<BundlesResult> => {
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, 'client-s3.mjs');
  await bundle("export * from '@aws-sdk/client-s3';", base);
  const clientS3Bundle = sizes('@aws-sdk/client-s3 (bundled)', base);
  const handlers: BundleFigures[] = [];
  for (const h of HANDLERS) {
    const file = join(outDir, `${h}.mjs`);
    await bundle(`export { ${h} } from './lambda/handler.ts';`, file);
    handlers.push(sizes(h, file));
  }
  // Round robin over every import, so a noisy moment costs each the same.
  const targets = [
    { runs: clientS3Bundle.initRuns, spec: pathToFileURL(base).href, options: '--enable-source-maps' },
    ...handlers.map((h) => ({ runs: h.initRuns, spec: pathToFileURL(join(outDir, `${h.name}.mjs`)).href, options: '--enable-source-maps' })),
    { runs: [] as number[], spec: '@aws-sdk/client-s3', options: '--enable-source-maps' },
    { runs: [] as number[], spec: pathToFileURL(join(outDir, 'torrentHandler.mjs')).href, options: '' },
  ];
  for (let i = 0; i < runs; i++) for (const t of targets) t.runs.push(...importMs(t.spec, 1, t.options));
  clientS3Bundle.initMs = median(clientS3Bundle.initRuns);
  for (const h of handlers) {
    h.initMs = median(h.initRuns);
    h.ratio = h.initMs / clientS3Bundle.initMs;
    log(`  ${h.name}: ${(h.bytes / 1024).toFixed(0)} KiB (${(h.gzipBytes / 1024).toFixed(0)} KiB gzip), init ${h.initMs.toFixed(1)} ms`);
  }
  const clientS3NodeModulesMs = median(targets[targets.length - 2].runs);
  const torrentInitNoSourceMapsMs = median(targets[targets.length - 1].runs);
  return { handlers, clientS3Bundle, clientS3NodeModulesMs, torrentInitNoSourceMapsMs };
};
