export const MIN_PIECE_LENGTH = 16 * 1024;
export const MAX_PIECE_LENGTH = 16 * 1024 * 1024;
export const TARGET_MAX_PIECES = 2048;

/**
 * The piece length for an object of `size` bytes: the smallest power of two
 * from 16 KiB to 16 MiB that keeps the torrent at 2048 pieces or fewer
 * (past 32 GiB the 16 MiB cap wins and the piece count grows).
 *
 * Like libtorrent's and mktorrent's rules it trades .torrent size (20 bytes
 * per piece) against piece granularity; 2048 pieces keep the .torrent under
 * ~45 KB up to 32 GiB and web-seed requests large enough to be efficient.
 *
 * @example
 * choosePieceLength(1)            // 16384
 * choosePieceLength(100 * 2**20)  // 65536
 * choosePieceLength(4 * 2**30)    // 2097152
 */
export const choosePieceLength = (size: number): number => {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid object size ${size}`);
  let length = MIN_PIECE_LENGTH;
  while (length < MAX_PIECE_LENGTH && Math.ceil(size / length) > TARGET_MAX_PIECES) length *= 2;
  return length;
};
