import { createHash } from 'node:crypto';
import { bdecode, isDict } from './bencode';

/** SHA-1 of the bencoded info dictionary, as 40 lowercase hex digits. */
export const infoHashOfInfo = (info: Buffer): string => createHash('sha1').update(info).digest('hex');

/**
 * The info-hash of a .torrent, computed over the `info` value's exact bytes
 * (re-encoding could change a non-canonical torrent's hash).
 */
export const infoHash = (torrent: Buffer): string => {
  const { value, spans } = bdecode(torrent);
  if (!isDict(value) || !spans.info) throw new Error('not a torrent: no info dictionary');
  return infoHashOfInfo(torrent.subarray(spans.info[0], spans.info[1]));
};
