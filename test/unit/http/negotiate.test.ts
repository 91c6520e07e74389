import { HttpError } from '../../../lambda/http/HttpError';
import { prefersHtml, representationOf } from '../../../lambda/http/negotiate';
import { apiGatewayEvent } from '../fixtures';

/** Accept headers as real clients send them (captured from each against a recording server; browsers' navigations). */
const CLIENTS: Array<[string, string | undefined]> = [
  ['curl 7.88', '*/*'],
  ['aria2 1.36', '*/*,application/metalink4+xml,application/metalink+xml'],
  ['Transmission 3.00 (libcurl)', '*/*'],
  ['Python urllib (the libtorrent tests fetch .torrent files with it): no Accept', undefined],
  ['WebTorrent in a browser (fetch)', '*/*'],
  ['an empty header', ''],
];

const BROWSERS: Array<[string, string]> = [
  [
    'Chromium navigation',
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  ],
  ['Firefox navigation', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Safari navigation', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
];

describe('prefersHtml', () => {
  test.each(CLIENTS)('gives %s the torrent', (_name, accept) => {
    expect(prefersHtml(accept)).toBe(false);
  });

  test.each(BROWSERS)('gives a %s the page', (_name, accept) => {
    expect(prefersHtml(accept)).toBe(true);
  });

  test.each([
    ['text/html', true],
    ['TEXT/HTML', true],
    ['text/*', true],
    ['text/html, */*', false], // a tie goes to the bytes
    ['text/html;q=0.9, application/x-bittorrent', false],
    ['application/x-bittorrent, text/html;q=0.5', false],
    ['application/x-bittorrent;q=0.5, text/html', true],
    ['text/html;q=0', false],
    ['*/*;q=0.1, text/html;q=0.2', true],
    ['text/html;level=1;q=0.4, */*;q=0.5', false],
    ['garbage', false],
    [';;;,,,', false],
    ['text/html;q=abc, */*;q=0.5', true], // an unreadable q is the default, 1
  ])('decides %j by quality and specificity: %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });
});

describe('representationOf', () => {
  const event = (accept: string | undefined, as?: string[]) =>
    apiGatewayEvent({
      headers: accept === undefined ? {} : { Accept: accept },
      queryStringParameters: as ? { exp: '1', as: as[as.length - 1] } : { exp: '1' },
      multiValueQueryStringParameters: as ? { exp: ['1'], as } : { exp: ['1'] },
    });

  test('answers the page to a browser and the torrent to a client, on the same URL', () => {
    expect([representationOf(event(BROWSERS[0][1])), representationOf(event('*/*')), representationOf(event(undefined))]).toEqual([
      'page',
      'torrent',
      'torrent',
    ]);
  });

  test('gives a browser the torrent with as=torrent (the page’s .torrent button)', () => {
    expect(representationOf(event(BROWSERS[0][1], ['torrent']))).toBe('torrent');
  });

  test.each([[['page']], [['']], [['torrent', 'torrent']], [['TORRENT']]])('refuses as=%j with 400 InvalidParameter', (as) => {
    let thrown: unknown;
    try {
      representationOf(event('*/*', as));
    } catch (err) {
      thrown = err;
    }
    expect(thrown instanceof HttpError && { status: thrown.statusCode, code: thrown.code, message: thrown.message }).toEqual({
      status: 400,
      code: 'InvalidParameter',
      message: 'The only value of "as" is "torrent".',
    });
  });

  test('reads the Accept header whatever its case', () => {
    expect(representationOf(apiGatewayEvent({ headers: { accept: 'text/html' } }))).toBe('page');
  });
});
