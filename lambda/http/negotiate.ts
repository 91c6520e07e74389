import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from './HttpError';

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

/** The media ranges of an Accept header (RFC 9110 §12.5.1); malformed entries are skipped, q defaults to 1. */
const parseAccept = (accept: string): MediaRange[] => {
  const out: MediaRange[] = [];
  for (const part of accept.slice(0, 4096).split(',')) {
    const [range, ...params] = part.split(';');
    const m = /^\s*([\w.+*-]+)\/([\w.+*-]+)\s*$/.exec(range ?? '');
    if (!m) continue;
    let q = 1;
    for (const p of params) {
      const qm = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (qm) q = Math.min(1, Number(qm[1]));
    }
    out.push({ type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), q });
  }
  return out;
};

/** The q a media type gets from the most specific range that matches it (0 when none does). */
const qualityOf = (ranges: MediaRange[], type: string, subtype: string): number => {
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return q;
};

/**
 * Whether a request's Accept header prefers an HTML page over the .torrent:
 * only when text/html gets a strictly higher quality than
 * application/x-bittorrent, so a tie (`*\/*`, no Accept at all) goes to the
 * bytes. Browsers navigating send `text/html,…,*\/*;q=0.8` and get the page;
 * curl, aria2, libtorrent, Transmission and WebTorrent get the torrent.
 *
 * @example
 * prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*\/*;q=0.8') // true
 * prefersHtml('*\/*') // false
 */
export const prefersHtml = (accept: string | undefined): boolean => {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const html = qualityOf(ranges, 'text', 'html');
  return html > 0 && html > qualityOf(ranges, 'application', 'x-bittorrent');
};

/** What the torrent route answers: a share page for a person, the .torrent for a client. */
export type Representation = 'page' | 'torrent';

/**
 * The representation of a torrent-route request: `as=torrent` (the page's
 * .torrent button) always gets the bytes; otherwise the Accept header
 * decides. `as` is not part of the signed link: it only chooses how the same
 * torrent is shown, and grants nothing.
 */
export const representationOf = (
  event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueQueryStringParameters' | 'queryStringParameters'>,
): Representation => {
  const as = event.multiValueQueryStringParameters?.as ?? (event.queryStringParameters?.as === undefined ? [] : [event.queryStringParameters.as]);
  if (as.length > 1 || (as.length === 1 && as[0] !== 'torrent')) throw new HttpError(400, 'InvalidParameter', 'The only value of "as" is "torrent".');
  if (as.length === 1) return 'torrent';
  const headers = event.headers ?? {};
  const name = Object.keys(headers).find((k) => k.toLowerCase() === 'accept');
  return prefersHtml(name ? (headers[name] ?? undefined) : undefined) ? 'page' : 'torrent';
};
