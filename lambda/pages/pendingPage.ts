import type { LambdaResponse } from '../http/jsonResponse';
import type { PendingProgress } from '../http/pendingResponse';
import { formatBytes } from './format';
import { html } from './html';
import { pageResponse } from './pageResponse';

/** A person watches the bar move: the page reloads sooner than a client is told to retry. */
const PAGE_REFRESH_MAX_SECONDS = 5;

/**
 * 202 for a person while a large object's torrent is being built: how far it
 * is, and a page that reloads itself (meta refresh, no script) when the
 * build may be done.
 */
export const pendingPage = (p: PendingProgress, name: string): LambdaResponse => {
  const refresh = Math.min(p.retryAfter, PAGE_REFRESH_MAX_SECONDS);
  const body = html`<section class="card" aria-labelledby="name">
<p class="kicker status pending">Preparing the torrent</p>
<h1 id="name">${name}</h1>
<p>This file is large, so its torrent is still being built: every piece of it is read and hashed once.</p>
<p><progress max="${p.bytesTotal}" value="${p.bytesDone}">${p.percent}%</progress></p>
<p><strong>${p.percent}%</strong>: ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} hashed${p.etaSeconds === null ? '' : html`, about ${etaText(p.etaSeconds)} left`}.</p>
<p class="note">This page reloads itself every ${refresh} seconds and shows the download once the torrent is ready. You can also close it and open the same link later.</p>
</section>`;
  return pageResponse(202, { title: `Preparing ${name} (${p.percent}%)`, body, refreshSeconds: refresh, headers: { 'Retry-After': String(p.retryAfter) } });
};

const etaText = (s: number) => (s < 90 ? `${s} seconds` : s < 5400 ? `${Math.round(s / 60)} minutes` : `${Math.round(s / 3600)} hours`);
