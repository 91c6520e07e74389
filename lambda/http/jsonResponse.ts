export interface LambdaResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string | NodeJS.ReadableStream;
}

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** A JSON answer; every error body has exactly `{ code, message }`. */
export const jsonResponse = (statusCode: number, body: unknown, headers: Record<string, string> = {}): LambdaResponse => ({
  statusCode,
  headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS, ...headers },
  body: JSON.stringify(body),
});

export const errorResponse = (statusCode: number, code: string, message: string, headers: Record<string, string> = {}) =>
  jsonResponse(statusCode, { code, message }, headers);
