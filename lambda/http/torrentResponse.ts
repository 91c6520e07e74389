import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { contentDisposition } from './contentDisposition';
import { CORS_HEADERS, SECURITY_HEADERS, type LambdaResponse } from './jsonResponse';

export interface TorrentBody {
  bytes: Buffer;
  name: string;
  infoHash: string;
  origin: string;
  requestCharged?: string;
}

/**
 * The 200 (or 304) answer carrying a .torrent. The ETag is a hash of the
 * exact bytes (they differ per link, since url-list carries the link's seed
 * URL), and `x-amz-request-charged` is passed on only when S3 sent it.
 */
export const torrentResponse = (t: TorrentBody, ifNoneMatch?: string): LambdaResponse => {
  const etag = `"${createHash('sha256').update(t.bytes).digest('base64url').slice(0, 32)}"`;
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    ...CORS_HEADERS,
    'Content-Type': 'application/x-bittorrent',
    'Content-Disposition': contentDisposition(`${t.name}.torrent`),
    'Content-Length': String(t.bytes.length),
    ETag: etag,
    // Private: the bytes embed a signed seed URL. Short: the link can expire.
    'Cache-Control': 'private, max-age=300',
    'X-Torrent-Info-Hash': t.infoHash,
    'X-Torrent-Source': t.origin,
  };
  if (t.requestCharged) headers['x-amz-request-charged'] = t.requestCharged;
  if (ifNoneMatch?.split(',').some((v) => v.trim() === etag || v.trim() === '*')) {
    delete headers['Content-Length'];
    return { statusCode: 304, headers, body: '' };
  }
  // A stream, not a string: the streaming runtime would write a string as UTF-8.
  return { statusCode: 200, headers, body: oneChunk(t.bytes) };
};

/** A stream of exactly `bytes`, already ended: no async iterator behind it (`Readable.from` costs a promise per read). */
const oneChunk = (bytes: Buffer): Readable => {
  const body = new Readable({ read: () => undefined });
  body.push(bytes);
  body.push(null);
  return body;
};
