/**
 * The two globals the Lambda Node.js runtime provides to streaming handlers
 * (`awslambda.streamifyResponse` and `awslambda.HttpResponseStream`), for the
 * local runtime and tests. middy calls `awslambda.streamifyResponse` when a
 * streaming handler is created, so this must be installed first.
 */
import type { Writable } from 'node:stream';

export interface Prelude {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

/** A response stream that learns its status and headers from the prelude. */
export interface PreludeStream extends Writable {
  setPrelude(prelude: Prelude): void;
}

export const STREAMING = Symbol.for('s3-torrent-proxy.streaming');

export const installLambdaGlobals = (): void => {
  // The AWS SDK sets `globalThis.awslambda = {}` on import; add to it, keep what is there.
  const g = globalThis as unknown as { awslambda?: Record<string, unknown> };
  if (typeof g.awslambda?.streamifyResponse === 'function') return;
  g.awslambda = Object.assign(g.awslambda ?? {}, {
    streamifyResponse: (fn: unknown) => {
      (fn as unknown as Record<symbol, boolean>)[STREAMING] = true;
      return fn;
    },
    HttpResponseStream: {
      from: (stream: Writable, prelude: Prelude) => {
        (stream as PreludeStream).setPrelude(prelude);
        return stream;
      },
    },
  });
};

export const isStreamingHandler = (fn: unknown): boolean => Boolean((fn as Record<symbol, boolean>)[STREAMING]);
