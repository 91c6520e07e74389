/**
 * Structured JSON logs, one line per entry, with the request id attached by
 * the request logger middleware. Secrets never reach here: callers pass
 * fields explicitly and `redact` strips anything that looks like a signature.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogSink = (line: string) => void;

let level: LogLevel = (process.env.LOG_LEVEL as LogLevel) in ORDER ? (process.env.LOG_LEVEL as LogLevel) : 'info';
let sink: LogSink = (line) => process.stdout.write(line + '\n');
let context: Record<string, unknown> = {};

const SIGNATURE_PATTERNS: RegExp[] = [
  // Query parameters, plain or percent-encoded (`sig%3D` inside a logged URL), wherever they stand.
  /((?:sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)(?:=|%3D))[^&\s"]*/gi,
  /(\/seed\/)[^/\s"]+/g,
  // A seed token anywhere (a mangled path like /seed//<token>/ puts it in another segment).
  /()[A-Za-z0-9_-]{1,32}\.\d{1,12}\.[A-Za-z0-9_-]{43}/g,
];

/** Removes link signatures and presigned-URL credentials from a string. */
export const redact = (text: string): string =>
  SIGNATURE_PATTERNS.reduce((acc, re) => acc.replace(re, '$1[redacted]'), text);

const write = (lvl: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
  if (ORDER[lvl] < ORDER[level]) return;
  const entry = { level: lvl, time: new Date().toISOString(), message, ...context, ...fields };
  sink(redact(JSON.stringify(entry, errorReplacer)));
};

const errorReplacer = (_key: string, value: unknown) => {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.stack) out.stack = value.stack;
    if (value.cause !== undefined) out.cause = value.cause;
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
};

/** Writes a line as is (EMF metrics), unless logging is silenced; still redacted. */
export const emitLine = (line: string) => {
  if (level === 'silent') return;
  sink(redact(line));
};

export const logger = {
  debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
  info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
  warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
  error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
  /** Fields added to every entry until cleared (request id, route). */
  setContext: (fields: Record<string, unknown>) => {
    context = { ...fields };
  },
  setLevel: (l: LogLevel) => {
    level = l;
  },
  /** Redirects output (tests capture it to prove no secret is logged). */
  setSink: (s: LogSink) => {
    const previous = sink;
    sink = s;
    return previous;
  },
};
