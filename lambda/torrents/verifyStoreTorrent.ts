import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { ValidatedTorrent } from '../metainfo/validateTorrent';
import type { AppLogger } from '../observability/logger';
import type { ObjectHead } from '../s3/headObject';
import type { ObjectRef } from '../s3/objectParams';
import { streamObjectRange } from '../s3/streamObjectRange';

/** Pieces checked beyond the first and the last. */
export const EXTRA_PIECES = 3;

/**
 * Which pieces of a store's torrent are checked: the first, the last, and
 * `EXTRA_PIECES` more chosen from the info-hash, so one version is judged
 * the same way on every machine and a store cannot tell which pieces will be read.
 *
 * @example
 * piecesToCheck(18, Buffer.from('…20 bytes…')) // [0, 17, 5, 11, 2]
 */
export const piecesToCheck = (pieceCount: number, infoHash: Buffer): number[] => {
  const chosen = new Set<number>([0, pieceCount - 1]);
  for (let i = 0; i < EXTRA_PIECES && chosen.size < pieceCount; i++) {
    let n = infoHash.readUInt32BE((i * 4) % 16) % pieceCount;
    while (chosen.has(n)) n = (n + 1) % pieceCount;
    chosen.add(n);
  }
  return [...chosen];
};

/**
 * Whether the sampled pieces of a store's torrent hash to what the object
 * holds, read with pinned ranged GETs (VersionId, else If-Match). Ceph RGW
 * 16.2 serves torrents whose pieces after the first are wrong: this is what
 * keeps them from ever reaching a downloader.
 */
export const storePiecesMatch = async (
  s3: S3Client,
  ref: ObjectRef,
  head: ObjectHead,
  torrent: ValidatedTorrent,
  infoHash: Buffer,
  log: AppLogger,
  signal?: AbortSignal,
): Promise<boolean> => {
  const pieces = torrent.info.pieces as Buffer;
  for (const index of piecesToCheck(torrent.pieceCount, infoHash)) {
    const start = index * torrent.pieceLength;
    const end = Math.min(head.size, start + torrent.pieceLength) - 1;
    const hash = createHash('sha1');
    for await (const chunk of streamObjectRange(s3, ref, { start, end, versionId: head.versionId, etag: head.etag }, { signal, log })) hash.update(chunk);
    if (!hash.digest().equals(pieces.subarray(index * 20, index * 20 + 20))) {
      log.warn('store torrent has a wrong piece hash', { bucket: ref.bucket, key: ref.key, piece: index, pieceCount: torrent.pieceCount });
      return false;
    }
  }
  return true;
};
