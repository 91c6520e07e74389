import { bencode } from '../../metainfo/bencode';
import type { SwarmCounts } from '../peerStore';

/**
 * The bencoded answer to a scrape (BEP 48) of one swarm: `files` keyed by
 * the raw 20-byte info-hash. That key is binary, which `bencode` (keys are
 * UTF-8 text) cannot write, so the outer dictionaries are spliced here.
 *
 * @example
 * scrapeResponse('c12f...a88a', { complete: 2, incomplete: 1, downloaded: 5, seedBytes: 0 })
 * // d5:filesd20:<20 bytes>d8:completei2e10:downloadedi5e10:incompletei1eeee
 */
export const scrapeResponse = (infoHash: string, counts: SwarmCounts): Buffer => {
  const key = Buffer.from(infoHash, 'hex');
  if (key.length !== 20) throw new TypeError('scrapeResponse: the info-hash must be 40 hex digits');
  const stats = bencode({ complete: counts.complete, downloaded: counts.downloaded, incomplete: counts.incomplete });
  return Buffer.concat([Buffer.from('d5:filesd20:'), key, stats, Buffer.from('ee')]);
};
