import type { LambdaResponse } from '../http/jsonResponse';
import { exactBytes, formatBytes, formatDate, fromNow } from './format';
import { html } from './html';
import { pageResponse } from './pageResponse';
import type { ShareView } from './shareView';

/** Shell single quotes around a URL, so a pasted command means exactly this URL. */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The most files listed on the page; the .torrent lists them all. */
const MAX_LISTED_FILES = 1000;

const fileList = (v: ShareView) => {
  if (!v.files) return '';
  const shown = v.files.slice(0, MAX_LISTED_FILES);
  return html`<section class="card" aria-labelledby="files">
<h2 id="files">Files (${v.files.length})</h2>
<table>
<thead><tr><th scope="col">Path</th><th scope="col" class="size">Size</th></tr></thead>
<tbody>
${shown.map((f) => html`<tr><td><code>${v.name}/${f.path}</code></td><td class="size" title="${exactBytes(f.length)}">${formatBytes(f.length)}</td></tr>\n`)}
</tbody>
</table>
${v.files.length > shown.length ? html`<p class="note">The first ${shown.length} files are listed here; the .torrent has all ${v.files.length}.</p>` : ''}
</section>`;
};

/**
 * The page a person sees when they open a share link in a browser: what is
 * shared, the .torrent first (the way in that always works), the magnet with
 * when it works, and how to download with common clients.
 */
export const sharePage = (v: ShareView): LambdaResponse => {
  const kind = v.files ? `A folder of ${v.files.length} ${v.files.length === 1 ? 'file' : 'files'}` : 'A file';
  const body = html`<section class="card" aria-labelledby="name">
<p class="kicker">${kind} shared with you over BitTorrent</p>
<h1 id="name">${v.name}</h1>
<dl>
<dt>Size</dt><dd>${formatBytes(v.length)} <span class="note">(${exactBytes(v.length)})</span></dd>
${v.lastModified === undefined ? '' : html`<dt>Last modified</dt><dd>${formatDate(v.lastModified)}</dd>`}
<dt>Link expires</dt><dd>${formatDate(v.expiresAt)} <span class="note">(${fromNow(v.expiresAt - v.now)})</span></dd>
<dt>Info-hash</dt><dd><code>${v.infoHash}</code></dd>
</dl>
<p><a class="button" href="${v.torrentHref}" download="${v.torrentFileName}">Download the .torrent</a></p>
<p class="note">Open the .torrent in a BitTorrent client. It downloads from the owner's web seed and from everyone else downloading it, and checks every piece against this info-hash.</p>
</section>
${fileList(v)}
<section class="card" aria-labelledby="how">
<h2 id="how">How to download</h2>
<ul class="clients">
<li><strong>qBittorrent</strong>: <em>File → Add Torrent File…</em> and choose the .torrent you downloaded.</li>
<li><strong>Transmission</strong>: <em>File → Open Torrent File…</em> (or double-click the .torrent), or in a terminal:<pre>transmission-cli ${/^[\w .()+-]+$/.test(v.torrentFileName) ? shellQuote(v.torrentFileName) : '<the .torrent file>'}</pre></li>
<li><strong>aria2</strong> (command line): give it this link; it fetches the .torrent, then the ${v.files ? 'files' : 'file'}:<pre>aria2c --seed-time=0 ${shellQuote(v.shareUrl)}</pre></li>
<li><strong>Any other client</strong> that opens .torrent files (Deluge, rTorrent, WebTorrent, …) works the same way.</li>
</ul>
<p class="note">Keep the client open after the download if you can: the people after you download from you too. This link stops working ${fromNow(v.expiresAt - v.now)}; ask the person who shared it for a new one after that.</p>
</section>
<section class="card" aria-labelledby="magnet">
<h2 id="magnet">Magnet link</h2>
<p><a href="${v.magnet}">Open the magnet link</a> in your client</p>
<details><summary>Show the magnet URI</summary><pre class="magnet">${v.magnet}</pre></details>
<p class="note">A magnet link carries no file list: your client first has to get the torrent's metadata from a peer that already has it. It works once someone in the swarm has the torrent (has opened the .torrent and is still online); until then, use the .torrent above.${v.isPrivate ? " This is a private torrent: peers are found only through the link's tracker, never through DHT." : ''}</p>
</section>`;
  return pageResponse(200, { title: `${v.name} (${formatBytes(v.length)})`, body });
};
