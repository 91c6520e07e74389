import type { HashPool } from './hashPool';
import type { PieceBuffers, PieceSlot } from './pieceBuffers';

/**
 * Hashes a sequence of bytes piece by piece on a worker pool. Bytes are
 * written into pooled shared slots of whole pieces; each full slot is sent
 * to a worker as one batch and returned when its digests are back. `write`
 * waits (back-pressure) when every slot is in flight. Digests come back in
 * piece order.
 */
export class PieceHasher {
  private slot: PieceSlot | undefined;
  private fill = 0;
  private readonly digests: Array<Promise<Buffer>> = [];
  private failed: unknown;
  length = 0;

  constructor(
    private readonly pool: HashPool,
    private readonly buffers: PieceBuffers,
  ) {}

  private dispatch(slot: PieceSlot, length: number) {
    const job = this.pool.digestPieces(this.buffers.sab, slot.offset, length, this.buffers.pieceLength).finally(() => this.buffers.release(slot));
    job.catch((err) => {
      this.failed ??= err;
    });
    this.digests.push(job);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.failed) throw this.failed;
    const pl = this.buffers.slotLength;
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.slot) {
        const s = this.buffers.acquire();
        this.slot = s instanceof Promise ? await s : s;
      }
      const take = Math.min(pl - this.fill, chunk.length - offset);
      this.slot.view.set(chunk.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === pl) {
        this.dispatch(this.slot, pl);
        this.slot = undefined;
        this.fill = 0;
      }
    }
    this.length += chunk.length;
  }

  /** Hashes the last (short) piece and returns all digests, concatenated in order. */
  async end(): Promise<Buffer> {
    if (this.slot) {
      if (this.fill > 0) this.dispatch(this.slot, this.fill);
      else this.buffers.release(this.slot);
      this.slot = undefined;
    }
    const all = await Promise.all(this.digests);
    return Buffer.concat(all);
  }

  /** Gives back a held buffer after a failure (pending digests release their own). */
  abandon(): void {
    if (this.slot) this.buffers.release(this.slot);
    this.slot = undefined;
    void Promise.allSettled(this.digests);
  }
}
