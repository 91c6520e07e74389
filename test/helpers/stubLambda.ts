/**
 * A stand-in for the Lambda Invoke API on 127.0.0.1: it checks that calls
 * are SigV4-signed for `lambda` and dispatches the payload to a handler in
 * this process (Event: answer 202 at once and run it after; RequestResponse:
 * run it and answer its JSON result), so the AWS background-build and
 * fan-out paths run end to end without AWS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubLambda {
  endpoint: string;
  calls: Array<{ functionName: string; type: string; payload: Record<string, unknown>; signed: boolean }>;
  /** Settles when every Event invocation started so far has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const startStubLambda = async (dispatch: () => (payload: unknown) => Promise<unknown>): Promise<StubLambda> => {
  const calls: StubLambda['calls'] = [];
  const running = new Set<Promise<unknown>>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const signed =
      /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/lambda\/aws4_request, SignedHeaders=.*x-amz-invocation-type.*, Signature=[0-9a-f]{64}$/.test(
        String(req.headers.authorization ?? ''),
      );
    calls.push({ functionName: decodeURIComponent(m?.[1] ?? ''), type, payload, signed });
    if (!m || !signed) {
      res.writeHead(403, { 'content-type': 'application/json' });
      return res.end('{"message":"not signed"}');
    }
    const handler = dispatch();
    if (type === 'Event') {
      res.writeHead(202);
      res.end();
      const p = handler(payload).catch(() => undefined);
      running.add(p);
      void p.finally(() => running.delete(p));
      return;
    }
    try {
      const out = await handler(payload);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    } catch (err) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorMessage: (err as Error).message }));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    idle: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
};
