import { createHash } from 'node:crypto';
import { alignedBuffer } from './alignedBuffer';

export interface HashProgress {
  bytes: number;
}

export interface HashedPieces {
  /** Concatenated 20-byte SHA-1 digests, one per piece. */
  pieces: Buffer;
  /** Bytes read from the source. */
  length: number;
}

/**
 * SHA-1 of each `pieceLength` piece of a byte stream (the last piece may be
 * shorter). Bytes are copied into one reused, 64-byte-aligned piece buffer,
 * so memory stays at one piece whatever the stream's size.
 *
 * @example
 * const { pieces } = await hashPieces(Readable.from([data]), 16384);
 */
export const hashPieces = async (
  source: AsyncIterable<Uint8Array>,
  pieceLength: number,
  onProgress?: (p: HashProgress) => void,
): Promise<HashedPieces> => {
  if (!Number.isInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`invalid piece length ${pieceLength}`);
  const piece = alignedBuffer(pieceLength);
  const digests: Buffer[] = [];
  let fill = 0;
  let total = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(pieceLength - fill, chunk.length - offset);
      if (fill === 0 && take === pieceLength) {
        // A whole piece inside the chunk: hash in place if aligned, else copy.
        const view = chunk.subarray(offset, offset + take);
        digests.push(createHash('sha1').update(view.byteOffset % 64 === 0 ? view : copyInto(piece, view)).digest());
      } else {
        piece.set(chunk.subarray(offset, offset + take), fill);
        fill += take;
        if (fill === pieceLength) {
          digests.push(createHash('sha1').update(piece).digest());
          fill = 0;
        }
      }
      offset += take;
    }
    total += chunk.length;
    onProgress?.({ bytes: total });
  }
  if (fill > 0) digests.push(createHash('sha1').update(piece.subarray(0, fill)).digest());
  return { pieces: Buffer.concat(digests), length: total };
};

const copyInto = (target: Buffer, view: Uint8Array): Buffer => {
  target.set(view, 0);
  return target.subarray(0, view.length);
};
