/**
 * CORS preflights of the public object routes (torrent, seed). A browser
 * client sends one before a request that is not "simple": WebTorrent's
 * web-seed fetches carry `Cache-Control: no-store` (and `cache: 'no-store'`),
 * so Chromium preflights every piece and never caches the answer. Those
 * preflights are answered by API Gateway itself (a MOCK integration, see
 * infra/stack/constructs/Api.ts) and, the same way, by the local runtime's
 * adapter: they never reach the Lambda.
 *
 * Open to any origin for the same reason as `CORS_HEADERS`: a link is a
 * bearer token in the URL, with no cookies or other ambient credentials.
 */
export interface Preflight {
  allowMethods: readonly string[];
  /** Request headers a browser client may send (WebTorrent: Cache-Control, Range, User-Agent). */
  allowHeaders: readonly string[];
  maxAgeSeconds: number;
  statusCode: number;
}

export const OBJECT_ROUTE_PREFLIGHT: Preflight = {
  allowMethods: ['GET', 'HEAD'],
  allowHeaders: ['Cache-Control', 'Range', 'User-Agent'],
  // Chromium caps a cached preflight at 2 h (and WebTorrent's no-store fetches skip the cache anyway).
  maxAgeSeconds: 7200,
  statusCode: 204,
};

/** The API Gateway resources whose OPTIONS is this preflight (Api.ts adds them; the local adapter answers them). */
export const PREFLIGHT_RESOURCES: readonly string[] = ['/torrent/{bucket}/{key+}', '/seed/{token}/{bucket}/{key+}'];

/** The headers of a preflight answer, as API Gateway's MOCK integration sends them. */
export const preflightHeaders = (p: Preflight = OBJECT_ROUTE_PREFLIGHT): Record<string, string> => ({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': p.allowMethods.join(','),
  'Access-Control-Allow-Headers': p.allowHeaders.join(','),
  'Access-Control-Max-Age': String(p.maxAgeSeconds),
});
