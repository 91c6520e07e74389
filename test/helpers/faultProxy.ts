/**
 * A fault-injecting HTTP proxy between the proxy's S3 client and a real
 * S3-compatible server (the embedded s3rver). Requests pass through unchanged
 * (Host included, so SigV4 signatures stay valid) unless a scripted rule
 * matches: then it answers an S3 error itself, or forwards the upstream
 * answer and breaks its body (reset, truncation, a short 206, a stall).
 * Every request and every fault that fired is recorded, so tests can assert
 * that the fault happened and how the client recovered (e.g. the Range of
 * the retry starts at the first byte the broken attempt did not deliver).
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Answer with an S3 XML error (500 InternalError, 503 SlowDown, 403 AccessDenied...) without asking upstream. */
  | { kind: 'status'; status: number; code: string }
  /** Forward status, headers and `afterBytes` body bytes, then reset the connection (TCP RST). */
  | { kind: 'reset'; afterBytes: number }
  /** Forward status and headers (the full Content-Length), `afterBytes` bytes, then close the connection cleanly (FIN). */
  | { kind: 'truncate'; afterBytes: number }
  /** A well-formed answer whose Content-Length and body are only `bytes` long (the Content-Range still claims the whole range). */
  | { kind: 'shortBody'; bytes: number }
  /** Forward status, headers and `afterBytes` bytes, then send nothing more and keep the connection open. */
  | { kind: 'stall'; afterBytes: number }
  /** Accept the request and never answer (no status line). */
  | { kind: 'hang' }
  /** Forward the request without its Range header: a store (or proxy) that ignores Range answers 200 with the whole object. */
  | { kind: 'ignoreRange' };

export interface SeenRequest {
  /** 1-based order of arrival. */
  seq: number;
  method: string;
  bucket: string;
  /** Decoded object key ('' for bucket-level calls). */
  key: string;
  /** Raw query string, with its leading `?` ('' if none). */
  query: string;
  range?: string;
  ifMatch?: string;
  /** The SigV4 signature of the request (from Authorization), so tests can check it never reaches a log. */
  signature?: string;
}

export interface FaultRecord extends SeenRequest {
  /** The fault applied to this request, if any. */
  fault?: Fault['kind'];
  /** Body bytes written to the client before the fault took effect. */
  bytesSent?: number;
  /** Status line sent (undefined for `hang`). */
  status?: number;
}

export interface FaultRule {
  when: (req: SeenRequest) => boolean;
  fault: Fault;
  /** How many matching requests get the fault (default 1; Infinity = every one). */
  times?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Every request seen, in order of arrival. */
  log: FaultRecord[];
  /** Adds a rule; rules are tried in the order they were added. */
  inject(rule: FaultRule): void;
  /** Drops every rule (and ends stalled answers); the log is kept. */
  clear(): void;
  /** Records with a fault that fired. */
  fired(): FaultRecord[];
  close(): Promise<void>;
}

export const s3ErrorXml = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected ${code}</Message><RequestId>FAULT</RequestId></Error>`;

/** `bytes=a-b` -> { start: a, end: b } (end undefined for `bytes=a-`). */
export const parseRange = (range: string | undefined): { start: number; end?: number } | undefined => {
  const m = /^bytes=(\d+)-(\d*)$/.exec(range ?? '');
  return m ? { start: Number(m[1]), end: m[2] === '' ? undefined : Number(m[2]) } : undefined;
};

/**
 * Matches ranged GetObject reads of one object: all of them, those starting
 * exactly at `from`, or (with `to`) those starting in [from, to), which
 * includes reads resumed inside that part.
 */
export const rangedGet = (bucket: string, key: string, from?: number, to?: number) => (r: SeenRequest) => {
  if (r.method !== 'GET' || r.bucket !== bucket || r.key !== key) return false;
  const start = parseRange(r.range)?.start;
  if (start === undefined) return false;
  if (from === undefined) return true;
  return to === undefined ? start === from : start >= from && start < to;
};

/** Matches one S3 operation on one object: `head`, `torrent` (GetObjectTorrent) or `get` (GetObject without ?torrent). */
export const operation = (op: 'head' | 'torrent' | 'get', bucket: string, key: string) => (r: SeenRequest) =>
  r.bucket === bucket &&
  r.key === key &&
  (op === 'head' ? r.method === 'HEAD' : r.method === 'GET' && (op === 'torrent') === /[?&]torrent(=|&|$)/.test(r.query));

const waitMs = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export const startFaultProxy = async (upstream: string): Promise<FaultProxy> => {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const rules: Array<FaultRule & { left: number }> = [];
  const log: FaultRecord[] = [];
  const held = new Set<Socket>();
  let seq = 0;

  const hold = (res: ServerResponse) => {
    const socket = res.socket;
    if (!socket) return;
    held.add(socket);
    socket.once('close', () => held.delete(socket));
  };

  const describe = (req: IncomingMessage): SeenRequest => {
    const url = new URL(req.url ?? '/', 'http://fault');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    let key = rest.join('/');
    try {
      key = decodeURIComponent(key);
    } catch {
      // keep the raw form
    }
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const signature = /Signature=([0-9a-f]+)/.exec(header('authorization') ?? '')?.[1];
    return { seq: ++seq, method: req.method ?? '', bucket, key, query: url.search, range: header('range'), ifMatch: header('if-match'), signature };
  };

  /** Writes `chunk` and resolves once it is handed to the socket. */
  const writeAll = (res: ServerResponse, chunk: Buffer) => new Promise<void>((ok) => (chunk.length === 0 ? ok() : res.write(chunk, () => ok())));

  /** Reads the first `n` bytes of an upstream body, then drops the rest of it. */
  const firstBytes = async (body: IncomingMessage, n: number): Promise<Buffer> => {
    const parts: Buffer[] = [];
    let got = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) break;
    }
    body.destroy();
    return Buffer.concat(parts).subarray(0, n);
  };

  const applyBodyFault = async (
    res: ServerResponse,
    up: IncomingMessage,
    fault: Exclude<Fault, { kind: 'status' | 'hang' | 'ignoreRange' }>,
    rec: FaultRecord,
  ) => {
    const n = fault.kind === 'shortBody' ? fault.bytes : fault.afterBytes;
    const head = await firstBytes(up, n);
    const headers = { ...up.headers };
    if (fault.kind === 'shortBody') headers['content-length'] = String(head.length);
    res.writeHead(up.statusCode ?? 502, headers);
    rec.status = up.statusCode;
    rec.bytesSent = head.length;
    if (fault.kind === 'shortBody') {
      res.end(head);
      return;
    }
    if (fault.kind === 'stall') {
      hold(res);
      res.flushHeaders();
      await writeAll(res, head);
      return;
    }
    await writeAll(res, head);
    // Let the client read what was sent: a reset may discard bytes not yet read.
    await waitMs(50);
    if (fault.kind === 'reset') res.socket?.resetAndDestroy();
    else res.socket?.end();
  };

  const server = createServer((req, res) => {
    const seen = describe(req);
    const rec: FaultRecord = { ...seen };
    log.push(rec);
    const rule = rules.find((r) => r.left > 0 && r.when(seen));
    if (rule) {
      rule.left--;
      rec.fault = rule.fault.kind;
    }
    const fault = rule?.fault;
    if (fault?.kind === 'hang') {
      req.resume();
      hold(res);
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      rec.status = fault.status;
      res.writeHead(fault.status, { 'Content-Type': 'application/xml', 'x-amz-request-id': 'FAULT' });
      res.end(req.method === 'HEAD' ? undefined : s3ErrorXml(fault.code));
      return;
    }
    const headers = { ...req.headers };
    if (fault?.kind === 'ignoreRange') delete headers.range;
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (up) => {
      if (!fault || fault.kind === 'ignoreRange') {
        rec.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      applyBodyFault(res, up, fault, rec).catch(() => res.destroy());
    });
    out.on('error', () => res.destroy());
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as AddressInfo;

  const releaseHeld = () => {
    for (const socket of held) socket.destroy();
    held.clear();
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    inject: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    clear: () => {
      rules.length = 0;
      releaseHeld();
    },
    fired: () => log.filter((r) => r.fault !== undefined),
    close: async () => {
      releaseHeld();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      agent.destroy();
    },
  };
};
