/**
 * `npm run link -- … --api <url>`: the CLI signs POST /links with the
 * caller's AWS credentials (SigV4, service execute-api). A stand-in for API
 * Gateway's AWS_IAM check on 127.0.0.1 recomputes the signature from what it
 * received (stub: no AWS here) and forwards the call to the local runtime.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';

/** SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 expects. */
const Sha256 = Hash.bind(null, 'sha256');
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const run = promisify(execFile);
const CREDS = { accessKeyId: 'AKIDSTUBEXAMPLE', secretAccessKey: 'stub-secret-key-for-sigv4-check' };

let rt: TestRuntime;
let gateway: Server;
let apiUrl: string;
const seen: Array<{ verified: boolean; service?: string; region?: string }> = [];
const received: Array<{ method: string; host: string; path: string; headers: Record<string, string>; body: string }> = [];

/** Checks a SigV4 request the way API Gateway would: same canonical request, same key, same signature. */
const verifySigV4 = async (method: string, host: string, path: string, headers: Record<string, string>, body: string) => {
  const auth = headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m || m[1] !== CREDS.accessKeyId) return { verified: false };
  const [, , , region, service, signedHeaders, signature] = m;
  const signer = new SignatureV4({ service, region, credentials: CREDS, sha256: Sha256 });
  const amzDate = headers['x-amz-date'];
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const onlySigned = Object.fromEntries(signedHeaders.split(';').map((h) => [h, headers[h]]));
  // The payload hash is recomputed from the bytes received, never taken from the request's header.
  if ('x-amz-content-sha256' in onlySigned) onlySigned['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
  const again = await signer.sign(
    { method, protocol: 'http:', hostname: host.split(':')[0], port: Number(host.split(':')[1]), path, headers: onlySigned, body },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(again.headers.authorization))?.[1];
  return { verified: expected === signature, service, region };
};

beforeAll(async () => {
  rt = await startTestRuntime({ env: { SERVED_BUCKETS: bucketsEnv([{ name: 'media' }]) } });
  await rt.put('media', 'report.pdf', Buffer.from('%PDF-1.7 pretend'));
  gateway = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({ method: req.method!, host: req.headers.host!, path: req.url!, headers: req.headers as Record<string, string>, body });
    const check = await verifySigV4(req.method!, req.headers.host!, req.url!, req.headers as Record<string, string>, body);
    seen.push(check);
    if (!check.verified || check.service !== 'execute-api' || req.url !== '/prod/links') {
      res.writeHead(403, { 'content-type': 'application/json' });
      return res.end('{"message":"The request signature we calculated does not match the signature you provided."}');
    }
    const upstream = await fetch(`${rt.baseUrl}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(await upstream.text());
  });
  await new Promise<void>((ok) => gateway.listen(0, '127.0.0.1', () => ok()));
  apiUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/prod`;
});

afterAll(async () => {
  gateway?.closeAllConnections();
  await new Promise((ok) => gateway?.close(ok));
  await rt?.stop();
});

const cli = (args: string[], env: Record<string, string | undefined>, cwd?: string) =>
  run(resolve('node_modules/.bin/tsx'), [resolve('infra/local/link.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...env },
  });

test('stub IAM gateway: `npm run link -- --api` signs with the caller credentials, and the minted link downloads', async () => {
  const { stdout } = await cli(['media/report.pdf', '--ttl', '1h', '--api', apiUrl, '--region', 'eu-west-1'], {
    AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
  });
  expect(seen.at(-1)).toEqual({ verified: true, service: 'execute-api', region: 'eu-west-1' });
  // The check is real: the same request with another body or path does not verify.
  const r = received.at(-1)!;
  expect(await verifySigV4(r.method, r.host, r.path, r.headers, r.body.replace('report.pdf', 'other.pdf'))).toEqual({
    verified: false,
    service: 'execute-api',
    region: 'eu-west-1',
  });
  expect(await verifySigV4(r.method, r.host, '/prod/links2', r.headers, r.body)).toEqual({ verified: false, service: 'execute-api', region: 'eu-west-1' });
  const url = stdout.trim();
  expect(url).toMatch(/\/torrent\/media\/report\.pdf\?exp=\d+&kid=local1&sig=[\w-]{43}$/);
  const res = await fetch(url);
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 200, type: 'application/x-bittorrent' });
  await res.arrayBuffer();
}, 60_000);

test('stub IAM gateway: wrong credentials are refused and the CLI says so, exiting non-zero', async () => {
  const failed = await cli(['media/report.pdf', '--api', apiUrl, '--region', 'eu-west-1'], {
    AWS_ACCESS_KEY_ID: 'AKIDSOMEONEELSE',
    AWS_SECRET_ACCESS_KEY: 'not-the-secret',
  }).then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  );
  expect(failed?.code).toBe(1);
  expect(failed?.stderr).toContain('The API refused (403)');
}, 60_000);

test('`npm run link -- --stats` against the local runtime prints the link and the swarm of its torrent', async () => {
  const { stdout, stderr } = await cli(['media/report.pdf', '--stats'], { PUBLIC_BASE_URL: rt.baseUrl });
  expect(stdout.trim()).toMatch(/\/torrent\/media\/report\.pdf\?exp=\d+&kid=local1&sig=[\w-]{43}$/);
  expect(stderr).toMatch(/swarm [0-9a-f]{40}: \d+ seeders, \d+ leechers, \d+ completed, \d+ bytes from the web seed/);
}, 60_000);

describe('which API: --api, then S3_TORRENT_PROXY_API, then ApiUrl in cdk-outputs.json, then the local runtime', () => {
  let dir: string;
  const creds = { AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: 'eu-west-1' };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk-outputs-'));
    // What `npx cdk deploy --outputs-file cdk-outputs.json` writes: outputs by stack, ApiUrl ending in "/".
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ S3TorrentProxy: { ApiUrl: `${apiUrl}/`, MintUrl: `${apiUrl}/links` } }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('stub IAM gateway: reads ApiUrl from cdk-outputs.json in the working directory, says so, and signs for it', async () => {
    const before = seen.length;
    const { stdout, stderr } = await cli(['media/report.pdf', '--ttl', '1h'], creds, dir);
    expect(stderr).toContain(`api: ${apiUrl} (from cdk-outputs.json, stack S3TorrentProxy, output ApiUrl)`);
    expect(seen.slice(before)).toEqual([{ verified: true, service: 'execute-api', region: 'eu-west-1' }]);
    expect(stdout.trim()).toMatch(/\/torrent\/media\/report\.pdf\?exp=\d+&kid=local1&sig=[\w-]{43}$/);
  }, 60_000);

  test('stub IAM gateway: S3_TORRENT_PROXY_API wins over the outputs file, and --api over both', async () => {
    const unreachable = 'http://127.0.0.1:9/prod';
    const fromEnv = await cli(['media/report.pdf'], { ...creds, S3_TORRENT_PROXY_API: apiUrl }, dir);
    expect(fromEnv.stderr).toContain(`api: ${apiUrl} (from S3_TORRENT_PROXY_API)`);
    const fromFlag = await cli(['media/report.pdf', '--api', apiUrl], { ...creds, S3_TORRENT_PROXY_API: unreachable }, dir);
    expect(fromFlag.stderr).toContain(`api: ${apiUrl} (from --api)`);
  }, 60_000);

  test('names the stacks when an outputs file holds several and --stack picks none', async () => {
    const file = join(dir, 'two.json');
    writeFileSync(file, JSON.stringify({ A: { ApiUrl: `${apiUrl}/` }, B: { ApiUrl: `${apiUrl}/` } }));
    const failed = await cli(['media/report.pdf', '--outputs-file', file], creds, dir).catch((err: { code: number; stderr: string }) => err);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toMatch(/has several stacks with an ApiUrl output \(A, B\): pick one with --stack\./);
    const picked = await cli(['media/report.pdf', '--outputs-file', file, '--stack', 'B'], creds, dir);
    expect(picked.stderr).toContain(`api: ${apiUrl} (from ${file}, stack B, output ApiUrl)`);
  }, 60_000);

  test('--local uses the local runtime even with an outputs file present', async () => {
    const { stdout, stderr } = await cli(['media/report.pdf', '--local'], { ...creds, PUBLIC_BASE_URL: rt.baseUrl }, dir);
    expect(stderr).toContain(`api: ${rt.baseUrl} (--local, running)`);
    expect(stdout.trim().startsWith(`${rt.baseUrl}/torrent/media/report.pdf?`)).toBe(true);
  }, 60_000);
});
