/**
 * The embedded S3-compatible server (s3rver) of the local runtime: 127.0.0.1
 * only, data kept on disk under the data directory so uploads survive a
 * restart. Credentials S3RVER/S3RVER, path-style addressing.
 */
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import S3rver from 's3rver';

export const EMBEDDED_ACCOUNT_ID = '123456789000';
export const EMBEDDED_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1:`port` (0 picks a free port). */
export const startEmbeddedS3 = async (opts: { port: number; directory: string }): Promise<EmbeddedS3> => {
  mkdirSync(opts.directory, { recursive: true });
  // s3rver leaves its server's 'error' unhandled (a busy port would crash the process): probe first.
  if (opts.port !== 0) await assertPortFree(opts.port);
  const server = new S3rver({ address: '127.0.0.1', port: opts.port, silent: true, directory: opts.directory, vhostBuckets: false });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, port: address.port, close: () => server.close() };
};

const assertPortFree = (port: number) =>
  new Promise<void>((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(port, '127.0.0.1', () => probe.close(() => ok()));
  });

export const s3ClientFor = (endpoint: string, credentials = EMBEDDED_CREDENTIALS, region = 'us-east-1') =>
  new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

export const ensureBucket = async (s3: S3Client, bucket: string): Promise<void> => {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
};

export const DEMO_BUCKET = 'demo';
export const DEMO_KEY = 'samples/s3-torrent-proxy demo.bin';
export const DEMO_SIZE = 3 * 1024 * 1024 + 12345;

/** Deterministic pseudo-random bytes (SHA-256 in counter mode), so the demo torrent's info-hash is the same everywhere. */
export const demoBytes = (size: number, seed = 's3-torrent-proxy demo'): Buffer => {
  const out = Buffer.allocUnsafe(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) {
    createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  }
  return out;
};

/** The demo folder (`demo/samples/`): the demo object and a note beside it, so a folder link has two files. */
export const DEMO_FOLDER = 'samples/';
export const DEMO_NOTE_KEY = 'samples/README.txt';
const DEMO_NOTE = `This folder is the demo of s3-torrent-proxy's local runtime (npm start).
"s3-torrent-proxy demo.bin" is ${DEMO_SIZE} deterministic pseudo-random bytes; this note sits beside it,
so that a folder link (npm run link -- demo/samples/ --folder) gives a two-file torrent.
`;

/** Puts the demo objects in the demo bucket unless they are there already. */
export const ensureDemoObject = async (s3: S3Client): Promise<void> => {
  await ensureBucket(s3, DEMO_BUCKET);
  const objects: Array<[string, Buffer, string]> = [
    [DEMO_KEY, demoBytes(DEMO_SIZE), 'application/octet-stream'],
    [DEMO_NOTE_KEY, Buffer.from(DEMO_NOTE), 'text/plain; charset=utf-8'],
  ];
  for (const [key, body, type] of objects) {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: DEMO_BUCKET, Key: key }));
    } catch {
      await s3.send(new PutObjectCommand({ Bucket: DEMO_BUCKET, Key: key, Body: body, ContentType: type }));
    }
  }
};
