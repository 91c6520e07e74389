import { displayName } from '../metainfo/displayName';

/**
 * `Content-Disposition: attachment` for a download name (RFC 6266): an
 * ASCII-only `filename` fallback in which quotes, backslashes, slashes and
 * control characters are replaced, and `filename*` (RFC 8187) carrying the
 * exact UTF-8 name. Nothing in `name` can end the header or add another.
 *
 * @example
 * contentDisposition('résumé.pdf.torrent')
 * // `attachment; filename="r_sum_.pdf.torrent"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf.torrent`
 */
export const contentDisposition = (name: string): string => {
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f/\\]/g, '_');
  const fallback = clean.replace(/[^\x20-\x7e]|["%]/gu, '_') || 'download.torrent';
  const encoded = encodeRfc8187(clean || 'download.torrent');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
};

/** RFC 8187 value-chars: attr-char stays, everything else is %XX of its UTF-8 bytes. */
const encodeRfc8187 = (s: string): string => encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The .torrent download name for a key: its last path segment plus `.torrent`. */
export const torrentFileName = (key: string): string => `${displayName(key)}.torrent`;
