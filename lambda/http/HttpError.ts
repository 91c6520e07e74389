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

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.expose = statusCode < 500;
    this.headers = options.headers ?? {};
  }
}

/** Messages used for 5xx answers: details of upstream failures stay in the logs. */
export const GENERIC_5XX: Record<number, string> = {
  500: 'Internal error.',
  502: 'The storage service returned an unexpected answer.',
  503: 'The storage service is busy; retry later.',
  504: 'The storage service did not answer in time.',
};

export const isHttpError = (err: unknown): err is HttpError => err instanceof HttpError;
