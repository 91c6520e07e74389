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

  /**
   * Copies `chunk` into the current slot, dispatching every slot it fills.
   * Returns a promise only when it must wait for a free slot (back-pressure);
   * otherwise it is done when it returns, so a caller feeding it from 'data'
   * events awaits nothing per chunk. Calls must not overlap: wait for a
   * returned promise before the next write.
   */
  write(chunk: Uint8Array): void | Promise<void> {
    if (this.failed) throw this.failed;
    return this.copy(chunk, 0);
  }

  private copy(chunk: Uint8Array, from: number): void | Promise<void> {
    const pl = this.buffers.slotLength;
    let offset = from;
    while (offset < chunk.length) {
      if (!this.slot) {
        const s = this.buffers.acquire();
        if (s instanceof Promise) return this.waitThenCopy(s, chunk, offset);
        this.slot = s;
      }
      const take = Math.min(pl - this.fill, chunk.length - offset);
      this.slot.view.set(take === chunk.length ? chunk : chunk.subarray(offset, offset + take), this.fill);
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

  private async waitThenCopy(slot: Promise<PieceSlot>, chunk: Uint8Array, offset: number): Promise<void> {
    this.slot = await slot;
    if (this.failed) throw this.failed;
    return this.copy(chunk, offset);
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
