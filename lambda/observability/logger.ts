/**
 * Structured JSON logs through Powertools Logger. One root logger per
 * composed app; every request logs through a child of it that carries its
 * own request id, so concurrent requests in one process never mix ids.
 * Secrets never reach a log line: `redact` runs over every string value.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { redact } from './redact';

export type { LogLevel };
export type AppLogger = Logger;

export const SERVICE_NAME = 's3-torrent-proxy';

export interface LoggerOptions {
  /** Defaults to the Lambda log level, POWERTOOLS_LOG_LEVEL or LOG_LEVEL (Powertools' order), else INFO. */
  level?: LogLevel;
}

const errorFields = (value: Error): Record<string, unknown> => {
  const out: Record<string, unknown> = { name: value.name, message: value.message };
  if (value.stack) out.stack = value.stack;
  if (value.cause !== undefined) out.cause = value.cause instanceof Error ? errorFields(value.cause) : value.cause;
  return out;
};

/** Redacts every string, keeps errors readable (name, message, stack, cause) and bigints printable. */
const replacer = (_key: string, value: unknown): unknown => {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return errorFields(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
};

/**
 * The root logger of one composed app.
 *
 * @example
 * const log = createLogger().createChild({ persistentKeys: { requestId: 'r-1' } });
 * log.info('request', { status: 200 });
 */
export const createLogger = (opts: LoggerOptions = {}): AppLogger => new Logger({ serviceName: SERVICE_NAME, logLevel: opts.level, jsonReplacerFn: replacer });
