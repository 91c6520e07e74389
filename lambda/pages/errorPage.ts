import type { LambdaResponse } from '../http/jsonResponse';
import { html } from './html';
import { pageResponse } from './pageResponse';

/** What a person reading the page can do about each refusal (the message says what happened). */
const HINTS: Record<string, { title: string; hint: string }> = {
  LinkRequired: { title: 'This address needs a share link', hint: 'Open the full link you were sent, including everything after the "?".' },
  InvalidLink: {
    title: 'This share link is not valid',
    hint: 'It may have been cut or changed when it was copied. Copy the whole link again, or ask the person who shared it for a new one.',
  },
  LinkExpired: { title: 'This share link has expired', hint: 'Ask the person who shared it for a new link.' },
  BucketNotServed: { title: 'This file is not shared here', hint: 'Ask the person who shared it for a new link.' },
  KeyNotServed: { title: 'This file is not shared here', hint: 'Ask the person who shared it for a new link.' },
  AccessDenied: { title: 'This file cannot be read', hint: 'The server may not read it any more. Tell the person who shared it.' },
  NoSuchKey: { title: 'This file no longer exists', hint: 'It was moved or deleted after the link was made. Ask the person who shared it.' },
  NoSuchBucket: { title: 'This file no longer exists', hint: 'Its storage is gone. Ask the person who shared it.' },
  InvalidPath: { title: 'This address is not valid', hint: 'Copy the whole link again.' },
  EmptyObject: { title: 'This file is empty', hint: 'A torrent cannot describe a file of 0 bytes.' },
  EmptyFolder: { title: 'This folder is empty', hint: 'A torrent cannot describe files of 0 bytes only.' },
};

/**
 * A readable page for a refused or failed request, with the same status the
 * JSON answer has. `message` is the HttpError's own text (never a store's,
 * never a stack), escaped like everything else.
 */
export const errorPage = (statusCode: number, code: string, message: string, headers: Record<string, string> = {}): LambdaResponse => {
  const known = HINTS[code];
  const title = known?.title ?? (statusCode >= 500 ? 'Something went wrong on our side' : 'This link cannot be opened');
  const hint = known?.hint ?? (statusCode >= 500 ? 'Try again in a minute.' : 'Ask the person who shared it for a new link.');
  const body = html`<section class="card" aria-labelledby="title">
<p class="kicker status">Error ${statusCode} · ${code}</p>
<h1 id="title">${title}</h1>
<p>${message}</p>
<p class="note">${hint}</p>
</section>`;
  return pageResponse(statusCode, { title, body, headers });
};
