import { createHash } from 'node:crypto';
import { SECURITY_HEADERS, type LambdaResponse } from '../http/jsonResponse';
import { Html, html } from './html';

/** The one stylesheet of every page, inline and allowed by its hash: no external resources, no fonts. */
const STYLE = `
:root{color-scheme:light dark;--fg:#1d2125;--muted:#5b636b;--bg:#f6f7f9;--card:#fff;--line:#d9dde2;--accent:#0b5cad;--accent-fg:#fff;--warn:#8a5a00;--bad:#a1262b}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#a2a9b1;--bg:#15181b;--card:#1e2226;--line:#343a40;--accent:#5aa2ec;--accent-fg:#0c1116;--warn:#e0b050;--bad:#f08c8f}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:46rem;margin:2rem auto;padding:0 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.25rem 1.5rem;margin-bottom:1rem}
h1{font-size:1.5rem;margin:.2rem 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:0 0 .5rem}
.kicker{color:var(--muted);margin:0;font-size:.9rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:1rem 0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0 .6rem}
.button{display:inline-block;background:var(--accent);color:var(--accent-fg);text-decoration:none;font-weight:600;padding:.6rem 1.1rem;border-radius:8px}
.button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
a{color:var(--accent)}
.note{color:var(--muted);font-size:.92rem}
.magnet{overflow-wrap:anywhere;font-size:.8rem}
summary{cursor:pointer;color:var(--muted);font-size:.92rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
td.size,th.size{text-align:right;white-space:nowrap}
progress{width:100%;height:1rem}
.status{font-size:.9rem;font-weight:600;color:var(--bad)}
.status.pending{color:var(--warn)}
ul.clients{padding-left:1.2rem;margin:.3rem 0}
ul.clients li{margin-bottom:.5rem}
footer{color:var(--muted);font-size:.85rem;text-align:center;margin:1.5rem 0}
`;

/** A constant of this file, not input: it goes in as written (its hash is in the CSP). */
const STYLE_HTML = new Html(STYLE);
const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/**
 * Nothing may load or run but the inline stylesheet above: no scripts at all, no images, fonts,
 * frames or forms; the page may not be framed. Keys and names are escaped anyway (pages/html.ts).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageOptions {
  title: string;
  body: Html;
  /** Reload the page after this many seconds (a torrent still being built). */
  refreshSeconds?: number;
  headers?: Record<string, string>;
}

/**
 * A complete HTML answer: the document around `body`, the strict CSP and the
 * same security headers as every JSON answer. Never cached: the page embeds a
 * signed link and changes as the link ages or a build progresses.
 */
export const pageResponse = (statusCode: number, o: PageOptions): LambdaResponse => {
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
${o.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${o.refreshSeconds}">`}
<title>${o.title}</title>
<style>${STYLE_HTML}</style>
</head>
<body>
<main>
${o.body}
<footer>Shared with s3-torrent-proxy: BitTorrent downloads of files stored in Amazon S3.</footer>
</main>
</body>
</html>
`;
  return {
    statusCode,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      ...SECURITY_HEADERS,
      ...(o.headers ?? {}),
    },
    body: doc.text,
  };
};
