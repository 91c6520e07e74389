export interface MagnetOptions {
  infoHash: string;
  name: string;
  length?: number;
  /** Exact source: where the .torrent can be fetched (`xs`). */
  torrentUrl?: string;
  /** Web seeds (`ws`, BEP 19 as used by WebTorrent/libtorrent). */
  webSeeds?: string[];
  trackers?: string[];
}

/**
 * A BEP 9 magnet URI. Values are percent-encoded with encodeURIComponent so a
 * URL inside (with its own `&`) cannot break the magnet's parameters.
 *
 * @example
 * magnetUri({ infoHash: 'ab'.repeat(20), name: 'file.bin' })
 * // 'magnet:?xt=urn:btih:abab...&dn=file.bin'
 */
export const magnetUri = (o: MagnetOptions): string => {
  if (!/^[0-9a-f]{40}$/.test(o.infoHash)) throw new RangeError('infoHash must be 40 lowercase hex digits');
  const params = [`xt=urn:btih:${o.infoHash}`, `dn=${encodeURIComponent(o.name)}`];
  if (o.length !== undefined) params.push(`xl=${o.length}`);
  for (const t of o.trackers ?? []) params.push(`tr=${encodeURIComponent(t)}`);
  for (const w of o.webSeeds ?? []) params.push(`ws=${encodeURIComponent(w)}`);
  if (o.torrentUrl) params.push(`xs=${encodeURIComponent(o.torrentUrl)}`);
  return `magnet:?${params.join('&')}`;
};
