import { createHash } from 'node:crypto';
import { buildFolderInfo, buildInfo, buildMetainfo } from '../../../lambda/metainfo/buildMetainfo';
import { infoHashOfInfo } from '../../../lambda/metainfo/infoHash';
import { errorPage } from '../../../lambda/pages/errorPage';
import { CONTENT_SECURITY_POLICY } from '../../../lambda/pages/pageResponse';
import { pendingPage } from '../../../lambda/pages/pendingPage';
import { sharePage } from '../../../lambda/pages/sharePage';
import { linkQuery, shareView } from '../../../lambda/pages/shareView';
import { pendingProgress } from '../../../lambda/http/pendingResponse';
import { apiGatewayEvent } from '../fixtures';

const HOSTILE = `<script>alert(1)</script> "x" & 'y'.bin`;
const NOW = 1_796_000_000;
const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';

const torrentOf = (info: Buffer, name: string, length: number) => {
  const infoHash = infoHashOfInfo(info);
  const bytes = buildMetainfo({
    info,
    webSeeds: [`${BASE}/seed/k1.1.sig/media/x`],
    trackers: [`${BASE}/announce/k1.1.sig.${infoHash}`],
    creationDate: NOW - 3600,
  });
  return { bytes, infoHash, name, length, origin: 'generated' as const };
};

const single = torrentOf(buildInfo({ name: HOSTILE, length: 40_000, pieceLength: 16_384, pieces: Buffer.alloc(60, 1), private: true }), HOSTILE, 40_000);

const event = apiGatewayEvent({
  queryStringParameters: { exp: String(NOW + 86400), kid: 'k1', sig: 'S'.repeat(43), as: 'torrent', junk: '<x>' },
});

const view = (t = single, key = `films/${HOSTILE}`) =>
  shareView({ torrent: t, baseUrl: BASE, bucket: 'media', key, query: linkQuery(event), expiresAt: NOW + 86400, now: NOW });

const body = (r: { body: unknown }) => String(r.body);

describe('sharePage', () => {
  const page = sharePage(view());

  test('answers 200 HTML with a strict CSP whose only allowance is the hash of its own stylesheet', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(body(page))![1];
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect({ status: page.statusCode, headers: page.headers }).toEqual({
      status: 200,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      },
    });
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  test('has no script, no external resource, and the hostile key only as escaped text', () => {
    const html = body(page);
    expect(html).not.toMatch(/<script|<img|<link|<iframe|src=|@import|url\(|https?:\/\/(?!abc123\.execute-api)/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &amp; &#39;y&#39;.bin');
  });

  test('shows size, dates, the info-hash, the .torrent button (as=torrent, no other parameter) before the magnet, and the clients', () => {
    const html = body(page);
    const v = view();
    expect({
      size: html.includes('39.1 KiB <span class="note">(40,000 bytes)</span>'),
      modified: html.includes('<dt>Last modified</dt><dd>2026-11-29 23:53 UTC</dd>'),
      expires: html.includes('(in 1 day)'),
      infoHash: html.includes(`<code>${single.infoHash}</code>`),
      button: v.torrentHref,
      shareUrl: v.shareUrl,
      order: ['Download the .torrent', 'How to download', 'qBittorrent', 'Transmission', 'aria2c', 'Magnet link']
        .map((s) => html.indexOf(s))
        .every((at, i, all) => at > (all[i - 1] ?? 0)),
      magnetNote: html.includes('It works once someone in the swarm has the torrent'),
    }).toEqual({
      size: true,
      modified: true,
      expires: true,
      infoHash: true,
      button: `?exp=${NOW + 86400}&kid=k1&sig=${'S'.repeat(43)}&as=torrent`,
      // The key's `'` as %27, so the command pastes into a shell between single quotes.
      shareUrl: `${BASE}/torrent/media/films/%3Cscript%3Ealert(1)%3C/script%3E%20%22x%22%20%26%20%27y%27.bin?exp=${NOW + 86400}&kid=k1&sig=${'S'.repeat(43)}`,
      order: true,
      magnetNote: true,
    });
  });

  test('builds the magnet from this torrent: its info-hash, its trackers and web seeds, the link as exact source', () => {
    const m = new URL(view().magnet);
    expect({
      xt: m.searchParams.get('xt'),
      tr: m.searchParams.getAll('tr'),
      ws: m.searchParams.getAll('ws'),
      xs: m.searchParams.get('xs'),
      dn: m.searchParams.get('dn'),
    }).toEqual({
      xt: `urn:btih:${single.infoHash}`,
      tr: [`${BASE}/announce/k1.1.sig.${single.infoHash}`],
      ws: [`${BASE}/seed/k1.1.sig/media/x`],
      xs: view().shareUrl,
      dn: HOSTILE,
    });
  });

  test('lists a folder’s files with their paths and sizes, escaped', () => {
    const files = [
      { length: 10, path: ['a.txt'] },
      { length: 2048, path: ['sub', '<b>.bin'] },
    ];
    const folder = torrentOf(buildFolderInfo({ name: 'set', files, pieceLength: 16_384, pieces: Buffer.alloc(20, 2) }), 'set', 2058);
    const v = view(folder, 'set/');
    const html = body(sharePage(v));
    expect({ files: v.files, rows: html.match(/<tr><td>.*?<\/tr>/g) }).toEqual({
      files: [
        { path: 'a.txt', length: 10 },
        { path: 'sub/<b>.bin', length: 2048 },
      ],
      rows: [
        '<tr><td><code>set/a.txt</code></td><td class="size" title="10 bytes">10 bytes</td></tr>',
        '<tr><td><code>set/sub/&lt;b&gt;.bin</code></td><td class="size" title="2,048 bytes">2.00 KiB</td></tr>',
      ],
    });
    expect(html).toContain('A folder of 2 files shared with you over BitTorrent');
  });
});

describe('pendingPage', () => {
  test('answers 202 with the progress, Retry-After for clients and a meta refresh of at most 5 s for people', () => {
    const started = Date.now() - 10_000;
    const progress = pendingProgress({ state: 'running', bytesDone: 1024 ** 3, bytesTotal: 4 * 1024 ** 3, startedAt: started, heartbeatAt: Date.now() });
    const res = pendingPage(progress, HOSTILE);
    const html = body(res);
    expect({
      status: res.statusCode,
      retryAfter: res.headers['Retry-After'],
      refresh: /<meta http-equiv="refresh" content="(\d+)">/.exec(html)?.[1],
      bar: html.includes(`<progress max="${4 * 1024 ** 3}" value="${1024 ** 3}">25%</progress>`),
      text: html.includes('<strong>25%</strong>: 1.00 GiB of 4.00 GiB hashed, about 30 seconds left.'),
      escaped: html.includes('&lt;script&gt;') && !html.includes('<script>'),
    }).toEqual({ status: 202, retryAfter: '30', refresh: '5', bar: true, text: true, escaped: true });
  });
});

describe('errorPage', () => {
  test('keeps the status and code, says what to do, and escapes the message', () => {
    const res = errorPage(403, 'LinkExpired', 'The share link has expired <now>.', { Vary: 'Accept' });
    const html = body(res);
    expect({
      status: res.statusCode,
      type: res.headers['Content-Type'],
      vary: res.headers.Vary,
      csp: res.headers['Content-Security-Policy'] === CONTENT_SECURITY_POLICY,
      kicker: html.includes('Error 403 · LinkExpired'),
      title: html.includes('<h1 id="title">This share link has expired</h1>'),
      message: html.includes('The share link has expired &lt;now&gt;.'),
      hint: html.includes('Ask the person who shared it for a new link.'),
    }).toEqual({ status: 403, type: 'text/html; charset=utf-8', vary: 'Accept', csp: true, kicker: true, title: true, message: true, hint: true });
  });

  test('gives unknown server errors a generic title', () => {
    expect(body(errorPage(500, 'InternalError', 'Internal error.'))).toContain('Something went wrong on our side');
  });
});
