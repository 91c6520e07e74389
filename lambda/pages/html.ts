/**
 * HTML built only through the `html` template tag: every interpolated value
 * is escaped unless it is already `Html` (the result of another `html`),
 * so text that comes from a key, a name or a URL can never open a tag or
 * leave an attribute. Attribute values in templates are always double-quoted.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for an HTML text node or a double-quoted attribute value.
 *
 * @example
 * escapeHtml('<a href="x">') // '&lt;a href=&quot;x&quot;&gt;'
 */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

export type HtmlValue = Html | string | number | undefined | null | false | readonly HtmlValue[];

const render = (v: HtmlValue): string => {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
};

/**
 * @example
 * html`<p title="${'a"b'}">${'<b>'}</p>`.text // '<p title="a&quot;b">&lt;b&gt;</p>'
 */
export const html = (strings: TemplateStringsArray, ...values: HtmlValue[]): Html =>
  new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
