/**
 * An error a client may see. `expose` follows middy's http-errors convention:
 * only statuses below 500 show their message; 5xx bodies are generic.
 *
 * @example
 * throw new HttpError(404, 'NoSuchKey', 'The object does not exist.');
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, code: string, message: string, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.expose = statusCode < 500;
    this.headers = options.headers ?? {};
  }
}

export const isHttpError = (err: unknown): err is HttpError => err instanceof HttpError;
