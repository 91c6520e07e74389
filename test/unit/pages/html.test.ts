import fc from 'fast-check';
import { escapeHtml, html } from '../../../lambda/pages/html';

const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e as string] as string);

describe('html', () => {
  test('escapes every interpolated string, in text and in attributes', () => {
    const name = `<img src=x onerror="alert(1)"> & 'q'`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;q&#39;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;q&#39;</p>',
    );
  });

  test('passes nested html through once, joins arrays and drops empty values', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}${undefined}${null}${false}${0}</ul>`.text).toBe('<ul><li>a&lt;b</li><li>c</li>0</ul>');
  });

  test('property: an escaped string holds no character that can open a tag or close an attribute, and unescapes to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeHtml(s);
        return !/[<>"']/.test(e) && unescapeHtml(e) === s && html`${s}`.text === e;
      }),
      { numRuns: 2000 },
    );
  });
});
