export interface LambdaResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string | NodeJS.ReadableStream;
}

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * On the torrent and seed routes only. Open CORS is safe there because links
 * are bearer tokens (no cookies, no ambient credentials), and it lets a
 * browser client (WebTorrent) fetch the .torrent and the web seed's ranges.
 * Never on /links: a web page must not be able to mint and read links.
 */
export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Retry-After, X-Torrent-Info-Hash, X-Torrent-Source',
};

/** A JSON answer; every error body has exactly `{ code, message }`. */
export const jsonResponse = (statusCode: number, body: unknown, headers: Record<string, string> = {}): LambdaResponse => ({
  statusCode,
  headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS, ...headers },
  body: JSON.stringify(body),
});

export const errorResponse = (statusCode: number, code: string, message: string, headers: Record<string, string> = {}) =>
  jsonResponse(statusCode, { code, message }, headers);
