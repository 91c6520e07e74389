/**
 * The Lambda artifact itself: lambda/handler.ts bundled by esbuild as the
 * stack bundles it (ESM, minified, SDK included, createRequire banner), then
 * loaded in a fresh Node process that plays the Lambda runtime's part.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  buildSync({
    entryPoints: [resolve('lambda/handler.ts')],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20', // the stack targets node24; this machine runs Node 20
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNNER = `
import { Writable } from 'node:stream';
let prelude;
globalThis.awslambda = Object.assign(globalThis.awslambda ?? {}, {
  streamifyResponse: (fn) => fn,
  HttpResponseStream: { from: (s, p) => { prelude = p; return s; } },
});
const m = await import(process.argv[2]);
const chunks = [];
const sink = new Writable({ write(c, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
const event = { httpMethod: 'GET', path: '/torrent/demo/a.bin', resource: '/torrent/{bucket}/{key+}', headers: {}, queryStringParameters: null,
  multiValueQueryStringParameters: null, requestContext: { domainName: 'x.execute-api.us-east-1.amazonaws.com', stage: 'prod', requestId: 'r' } };
await m.torrentHandler(event, sink, { awsRequestId: 'a', getRemainingTimeInMillis: () => 60000 });
console.log(JSON.stringify({
  exports: Object.keys(m).sort(),
  status: prelude.statusCode,
  body: JSON.parse(Buffer.concat(chunks).toString()),
}));
`;

test('the bundled handler loads in a fresh Node process, exports the five handlers and refuses an unsigned request with 401 JSON', () => {
  const runner = join(dir, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const out = execFileSync(process.execPath, [runner, join(dir, 'index.mjs')], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'silent',
      AWS_REGION: 'us-east-1',
      SERVED_BUCKETS: '[{"name":"demo","expectedOwner":"123456789012"}]',
      LINK_KEYS: JSON.stringify({ active: 'k1', k1: 'x'.repeat(40) }),
    },
    encoding: 'utf8',
  });
  expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
    exports: ['generateHandler', 'mintHandler', 'seedHandler', 'torrentHandler', 'trackerHandler'],
    status: 401,
    body: { code: 'LinkRequired', message: expect.any(String) },
  });
});

/** Only what the Lambda runtime does at init: define its globals and import the handler module. */
const INIT = `
globalThis.awslambda = Object.assign(globalThis.awslambda ?? {}, { streamifyResponse: (fn) => fn, HttpResponseStream: { from: (s) => s } });
await import(process.argv[2]);
console.log('ready');
`;

const init = (env: Record<string, string>) => {
  const runner = join(dir, 'init.mjs');
  writeFileSync(runner, INIT);
  return spawnSync(process.execPath, [runner, join(dir, 'index.mjs')], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', AWS_REGION: 'us-east-1', SERVED_BUCKETS: '[{"name":"demo","expectedOwner":"123456789012"}]', ...env },
    encoding: 'utf8',
  });
};

test.each(['torrent', 'seed', 'mint', 'tracker'])(
  'fails at init, naming LINK_KEYS, when the %s function (it signs or verifies links) has no link keys',
  (role) => {
    const { status, stdout, stderr } = init({ FUNCTION_ROLE: role, PEER_TABLE: 'peers' });

    expect({ status, stdout }).toEqual({ status: 1, stdout: '' });
    expect(stderr).toContain('Invalid configuration: LINK_KEYS or LINK_KEYS_SECRET_ARN is required (the share-link signing keys)');
  },
);

const KEYS = JSON.stringify({ active: 'k1', k1: 'x'.repeat(40) });

test.each(['tracker', 'seed'])('fails at init, naming PEER_TABLE, when the %s function (it uses the peer store) has no peer table', (role) => {
  const { status, stdout, stderr } = init({ FUNCTION_ROLE: role, LINK_KEYS: KEYS });

  expect({ status, stdout }).toEqual({ status: 1, stdout: '' });
  expect(stderr).toContain(`Invalid configuration: PEER_TABLE is required when FUNCTION_ROLE is "${role}" (the DynamoDB table of the swarm's peers)`);
});

test('loads the tracker function with its link keys and peer table, as the stack configures it', () => {
  const { status, stdout } = init({ FUNCTION_ROLE: 'tracker', LINK_KEYS: KEYS, PEER_TABLE: 'peers' });

  expect({ status, stdout: stdout.trim() }).toEqual({ status: 0, stdout: 'ready' });
});

// Known gap, outside the config: lambda/compose.ts creates the key-ring provider at init for every
// handler, and createKeyRingProvider (lambda/links/loadKeyRing.ts) throws "no key ring configured" when
// there are no keys. Until it defers that to the first call, this fails; then make it a plain `test`.
test('loads the generate function, which the stack gives no link keys', () => {
  const { status, stdout } = init({ FUNCTION_ROLE: 'generate' });

  expect({ status, stdout: stdout.trim() }).toEqual({ status: 0, stdout: 'ready' });
});
