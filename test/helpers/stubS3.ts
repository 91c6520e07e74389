/**
 * A stub S3 HTTP endpoint for what no local S3-compatible server produces:
 * a store that serves GetObjectTorrent, `x-amz-request-charged`, an owner
 * check on `x-amz-expected-bucket-owner`, throttling. The proxy talks to it
 * through the real SDK, so serialization of those headers is exercised.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubReply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface StubBucket {
  /** Answer to GET ?torrent; default 501 NotImplemented like MinIO/s3rver. */
  torrent?: (req: IncomingMessage) => StubReply;
  /** Object bytes served by HEAD/GET (with Range), keyed by object key. */
  objects?: Record<string, Buffer>;
  /** When set, any request whose x-amz-expected-bucket-owner differs gets 403 AccessDenied, as S3 does. */
  owner?: string;
  /** Requester pays: requests without x-amz-request-payer: requester get 403; others are charged. */
  requesterPays?: boolean;
  /** Reply to every request with this (e.g. 503 SlowDown). */
  always?: StubReply;
}

export interface RecordedRequest {
  method: string;
  bucket: string;
  key: string;
  query: string;
  headers: IncomingMessage['headers'];
}

export const s3ErrorXml = (code: string, message = code) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>STUB</RequestId></Error>`;

export const errorReply = (status: number, code: string): StubReply => ({ status, headers: { 'Content-Type': 'application/xml' }, body: s3ErrorXml(code) });

export interface StubS3 {
  endpoint: string;
  requests: RecordedRequest[];
  buckets: Record<string, StubBucket>;
  close(): Promise<void>;
}

export const startStubS3 = async (buckets: Record<string, StubBucket>): Promise<StubS3> => {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    requests.push({ method: req.method ?? '', bucket, key, query: url.search, headers: req.headers });
    const reply = (r: StubReply) => {
      res.writeHead(r.status, { 'x-amz-request-id': 'STUB', ...(r.headers ?? {}) });
      res.end(req.method === 'HEAD' ? undefined : r.body);
    };
    const b = buckets[bucket];
    if (!b) return reply(errorReply(404, 'NoSuchBucket'));
    if (b.always) return reply(b.always);
    if (b.owner && req.headers['x-amz-expected-bucket-owner'] !== b.owner) return reply(errorReply(403, 'AccessDenied'));
    const charged: Record<string, string> = {};
    if (b.requesterPays) {
      if (req.headers['x-amz-request-payer'] !== 'requester') return reply(errorReply(403, 'AccessDenied'));
      charged['x-amz-request-charged'] = 'requester';
    }
    if (url.searchParams.has('torrent')) {
      const r = b.torrent ? b.torrent(req) : errorReply(501, 'NotImplemented');
      return reply({ ...r, headers: { ...charged, ...(r.headers ?? {}) } });
    }
    const obj = b.objects?.[key];
    if (!obj) return reply(errorReply(404, 'NoSuchKey'));
    const etag = `"${obj.length}-stub"`;
    const base = { ...charged, ETag: etag, 'Last-Modified': new Date(1_700_000_000_000).toUTCString(), 'Accept-Ranges': 'bytes' };
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== etag) return reply(errorReply(412, 'PreconditionFailed'));
    const range = /^bytes=(\d+)-(\d+)?$/.exec(String(req.headers.range ?? ''));
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : obj.length - 1, obj.length - 1);
      if (start >= obj.length) return reply(errorReply(416, 'InvalidRange'));
      return reply({
        status: 206,
        headers: { ...base, 'Content-Range': `bytes ${start}-${end}/${obj.length}`, 'Content-Length': String(end - start + 1) },
        body: obj.subarray(start, end + 1),
      });
    }
    return reply({ status: 200, headers: { ...base, 'Content-Length': String(obj.length) }, body: obj });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    buckets,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
};
