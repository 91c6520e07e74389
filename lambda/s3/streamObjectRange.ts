import type { AppLogger } from '../observability/logger';
import type { S3Client } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyS3Error } from './classifyS3Error';
import type { ObjectRef } from './objectParams';
import { RangeMismatchError, readObjectRange, type RangeRead } from './readObjectRange';

export interface StreamRangeOptions {
  /** Where a resumed read is reported (the request's logger). */
  log?: Pick<AppLogger, 'warn'>;
  /** Attempts per range, counting the first (resumes count as attempts). */
  attempts?: number;
  /** First backoff in ms; doubles each retry, with full jitter. */
  backoffMs?: number;
  signal?: AbortSignal;
}

const RETRYABLE_KINDS = new Set(['throttled', 'timeout', 'unexpected']);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Whether a failed read may be retried: throttling, timeouts, 5xx and broken connections, never 4xx. */
export const isRetryableReadError = (err: unknown): boolean => {
  if (err instanceof RangeMismatchError) return false; // a store that ignores Range will do it again
  const code = (err as { code?: string })?.code;
  if (code && RETRYABLE_NETWORK.has(code)) return true;
  if (err instanceof ShortReadError) return true;
  const info = classifyS3Error(err);
  if (info.status !== undefined && info.status >= 400 && info.status < 500 && info.kind !== 'throttled') return false;
  return RETRYABLE_KINDS.has(info.kind);
};

export class ShortReadError extends Error {
  constructor(expected: number, got: number) {
    super(`range ended after ${got} of ${expected} bytes`);
    this.name = 'ShortReadError';
  }
}

/**
 * The bytes of [start, end] as a stream of chunks. A body that breaks
 * mid-way (reset, stall, short read, 5xx) is reopened from the first byte not
 * yet delivered, so nothing is read twice or skipped; after `attempts` the
 * last error is thrown. The range is pinned to one version (see RangeRead), and
 * an answer whose ETag or VersionId is another one fails with a 412.
 */
export async function* streamObjectRange(client: S3Client, ref: ObjectRef, range: RangeRead, opts: StreamRangeOptions = {}): AsyncGenerator<Uint8Array> {
  const attempts = opts.attempts ?? 5;
  const backoffMs = opts.backoffMs ?? 200;
  const expected = range.end - range.start + 1;
  let delivered = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const body = await readObjectRange(client, ref, { ...range, start: range.start + delivered }, opts.signal);
      for await (const chunk of body) {
        let piece = chunk;
        if (delivered + piece.length > expected) piece = piece.subarray(0, expected - delivered);
        delivered += piece.length;
        if (piece.length > 0) yield piece;
        if (delivered >= expected) break;
      }
      if (delivered < expected) throw new ShortReadError(expected, delivered);
      return;
    } catch (err) {
      if (opts.signal?.aborted || attempt >= attempts || !isRetryableReadError(err)) throw err;
      const wait = Math.random() * backoffMs * 2 ** (attempt - 1);
      opts.log?.warn('ranged read failed; resuming', {
        bucket: ref.bucket,
        key: ref.key,
        offset: range.start + delivered,
        attempt,
        error: (err as Error)?.name,
        code: (err as { code?: string })?.code,
      });
      await sleep(wait, undefined, { signal: opts.signal });
    }
  }
}
