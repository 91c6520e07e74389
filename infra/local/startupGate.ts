import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * Answers 503 `Starting` (with Retry-After) until the handlers are attached,
 * and 503 `Stopping` once shutdown begins, so no request ever waits on a
 * socket that nobody serves; `drain` lets requests in flight finish for a
 * bounded time before their connections are closed.
 */
export const startupGate = () => {
  let handler: RequestListener | undefined;
  let stopping = false;
  const inFlight = new Set<ServerResponse>();
  const refuse = (res: ServerResponse, code: string, message: string) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
    res.end(JSON.stringify({ code, message }));
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (stopping) return refuse(res, 'Stopping', 'The proxy is shutting down.');
    if (!handler) return refuse(res, 'Starting', 'The proxy is starting; retry in a second.');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    return handler(req, res);
  };
  return {
    listener,
    open: (h: RequestListener) => {
      handler = h;
    },
    /** Stops accepting, lets requests in flight run for up to `graceMs`, then closes every connection. */
    drain: async (server: Server, graceMs: number) => {
      stopping = true;
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      server.closeAllConnections();
      await closed;
    },
  };
};
