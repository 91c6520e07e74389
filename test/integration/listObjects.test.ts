/**
 * listObjects against the embedded s3rver through the real SDK: pagination
 * (s3rver, like S3, answers at most 1000 keys a page), what a prefix does
 * and does not match, folder markers, the early stop past maxKeys; and,
 * against a one-route stub, the URL-encoded keys S3 sends when it honours
 * EncodingType=url (s3rver ignores it).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EMBEDDED_ACCOUNT_ID, ensureBucket, s3ClientFor } from '../../infra/local/embeddedS3';
import { folderManifest } from '../../lambda/policy/folderManifest';
import { listObjects, TooManyObjectsError } from '../../lambda/s3/listObjects';

const BUCKET = 'folders';
const REF = { bucket: BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, requesterPays: false };
const MANY = 1_205;
const manyKey = (i: number) => `big/set/k${String(i).padStart(5, '0')}`;

const CHILD = `(async () => {
  const { startEmbeddedS3 } = await import('./infra/local/embeddedS3.ts');
  const s3 = await startEmbeddedS3({ port: 0, directory: process.argv[1] });
  process.stdout.write(JSON.stringify({ endpoint: s3.endpoint }) + '\\n');
  process.stdin.resume();
  process.stdin.on('end', () => s3.close().then(() => process.exit(0)));
})();`;

/**
 * startEmbeddedS3 in a process of its own with OpenSSL's legacy provider:
 * s3rver encrypts its continuation tokens with DES, which Node's OpenSSL 3
 * refuses otherwise, so in this process (and in `npm start`) every truncated
 * ListObjectsV2 page answers 500 InternalError.
 */
const startPagingS3 = async (directory: string): Promise<{ endpoint: string; stop(): Promise<void> }> => {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', '-e', CHILD, directory], {
    cwd: resolve(__dirname, '../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const endpoint = await new Promise<string>((ok, fail) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('\n')) ok((JSON.parse(stdout.split('\n')[0]) as { endpoint: string }).endpoint);
    });
    child.once('exit', (code) => fail(new Error(`embedded S3 exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return {
    endpoint,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
};

/** What each ListObjectsV2 request carried on the wire (after serialization, as sent). */
interface SentList {
  query: Record<string, string>;
  owner?: string;
  payer?: string;
}

const recordLists = (client: S3Client): SentList[] => {
  const sent: SentList[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { query: Record<string, string>; headers: Record<string, string> };
      if (context.commandName === 'ListObjectsV2Command') {
        sent.push({ query: { ...request.query }, owner: request.headers['x-amz-expected-bucket-owner'], payer: request.headers['x-amz-request-payer'] });
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordLists' },
  );
  return sent;
};

describe('listObjects on s3rver', () => {
  let s3: { endpoint: string; stop(): Promise<void> };
  let dir: string;
  let admin: S3Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'list-objects-'));
    s3 = await startPagingS3(dir);
    admin = s3ClientFor(s3.endpoint);
    await ensureBucket(admin, BUCKET);
    const put = (key: string, body: string) => admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const keys = Array.from({ length: MANY }, (_, i) => manyKey(i));
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k, 'x')));
    for (const [key, body] of [
      ['data/set/', ''],
      ['data/set/sub/', ''],
      ['data/set/sub/b.bin', 'bbbb'],
      ['data/set/a.bin', 'aaa'],
      ['data/set/empty', ''],
      ['data/set/sub-x.bin', 'ss'],
      ['data/set/100% + ü.txt', 'p'],
      ['data/set-other', 'no'],
      ['data/sets/x', 'no'],
      ['data/set', 'no'],
    ]) {
      await put(key, body);
    }
  }, 120_000);

  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('follows continuation tokens past 1000 keys, sending owner and payer on every page', async () => {
    // Arrange
    const client = s3ClientFor(s3.endpoint);
    const sent = recordLists(client);

    // Act
    const listed = await listObjects(client, { ...REF, requesterPays: true }, 'big/set/', { maxKeys: 5_000 });

    // Assert
    expect({
      keys: listed.map((o) => o.key),
      sizes: new Set(listed.map((o) => o.size)),
      dated: listed.every((o) => o.lastModified instanceof Date && o.etag.startsWith('"')),
      pages: sent.map((s) => ({ maxKeys: s.query['max-keys'], token: 'continuation-token' in s.query, owner: s.owner, payer: s.payer })),
    }).toEqual({
      keys: Array.from({ length: MANY }, (_, i) => manyKey(i)),
      sizes: new Set([1]),
      dated: true,
      pages: [
        { maxKeys: '1000', token: false, owner: EMBEDDED_ACCOUNT_ID, payer: 'requester' },
        { maxKeys: '1000', token: true, owner: EMBEDDED_ACCOUNT_ID, payer: 'requester' },
      ],
    });
  });

  test('lists only keys under the prefix, folder markers and zero-length objects included, keys verbatim', async () => {
    // Act
    const listed = await listObjects(s3ClientFor(s3.endpoint), REF, 'data/set/', { maxKeys: 100 });

    // Assert: in the store's order; s3rver walks its directory tree (`sub/…` before `sub-x.bin`), S3 would not.
    expect(listed.map((o) => [o.key, o.size])).toEqual([
      ['data/set/', 0],
      ['data/set/100% + ü.txt', 1],
      ['data/set/a.bin', 3],
      ['data/set/empty', 0],
      ['data/set/sub/', 0],
      ['data/set/sub/b.bin', 4],
      ['data/set/sub-x.bin', 2],
    ]);
  });

  test("gives folderManifest a listing it turns into the folder: markers skipped, empty files kept, S3's byte order restored", async () => {
    // Act
    const listed = await listObjects(s3ClientFor(s3.endpoint), REF, 'data/set/', { maxKeys: 100 });
    const manifest = folderManifest('data/set/', listed, { maxFiles: 10, maxBytes: 1_000 });

    // Assert
    expect({ name: manifest.name, paths: manifest.files.map((f) => f.path), totalSize: manifest.totalSize }).toEqual({
      name: 'set',
      paths: [['100% + ü.txt'], ['a.bin'], ['empty'], ['sub-x.bin'], ['sub', 'b.bin']],
      totalSize: 10,
    });
  });

  test.each<[string, number, Array<string | undefined>]>([
    ['in the first page, asking for only one key more than the limit', 10, ['11']],
    ['on the second page, asking it for the one key that decides', 1_000, ['1000', '1']],
  ])('throws TooManyObjectsError %s', async (_label, maxKeys, pageSizes) => {
    // Arrange
    const client = s3ClientFor(s3.endpoint);
    const sent = recordLists(client);

    // Act
    const err = await listObjects(client, REF, 'big/set/', { maxKeys }).catch((e: unknown) => e);

    // Assert
    expect({
      error: err instanceof TooManyObjectsError,
      message: (err as Error).message,
      limit: (err as TooManyObjectsError).limit,
      pages: sent.map((s) => s.query['max-keys']),
    }).toEqual({ error: true, message: `more than ${maxKeys} keys under "big/set/"`, limit: maxKeys, pages: pageSizes });
  });

  test('takes exactly maxKeys keys', async () => {
    const listed = await listObjects(s3ClientFor(s3.endpoint), REF, 'big/set/', { maxKeys: MANY });

    expect(listed.length).toBe(MANY);
  });

  test('gives an empty list for a prefix with nothing under it', async () => {
    expect(await listObjects(s3ClientFor(s3.endpoint), REF, 'nothing/here/', { maxKeys: 10 })).toEqual([]);
  });

  test('stops when its signal is aborted', async () => {
    const err = await listObjects(s3ClientFor(s3.endpoint), REF, 'big/set/', { maxKeys: 5_000, signal: AbortSignal.abort() }).catch((e: unknown) => e);

    expect((err as Error).name).toBe('AbortError');
  });
});

describe('listObjects on a store that honours EncodingType=url', () => {
  let server: Server;
  let endpoint: string;
  const queries: string[] = [];

  beforeAll(async () => {
    // Shaped as S3 answers: keys percent-encoded, spaces as "+", EncodingType echoed.
    server = createServer((req, res) => {
      queries.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BUCKET}</Name>` +
          '<Prefix>data%2Fset%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>11</MaxKeys><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>' +
          '<Contents><Key>data/set/a+b%2Bc%25%C3%BC.txt</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>3</Size></Contents>' +
          '<Contents><Key>data/set/ctl%01</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>"e2"</ETag><Size>0</Size></Contents>' +
          '</ListBucketResult>',
      );
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  test('asks for URL-encoded keys and decodes them, "+" as a space', async () => {
    // Act
    const listed = await listObjects(s3ClientFor(endpoint), REF, 'data/set/', { maxKeys: 10 });

    // Assert
    expect({ listed, query: new URL(queries[0], endpoint).searchParams.get('encoding-type') }).toEqual({
      listed: [
        { key: 'data/set/a b+c%ü.txt', size: 3, etag: '"e1"', lastModified: new Date('2024-05-01T10:00:00.000Z') },
        { key: 'data/set/ctl\u0001', size: 0, etag: '"e2"', lastModified: new Date('2024-05-01T10:00:00.000Z') },
      ],
      query: 'url',
    });
  });
});
