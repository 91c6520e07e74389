/**
 * A fixed set of 64-byte-aligned slots carved from one SharedArrayBuffer,
 * each holding `piecesPerSlot` whole pieces (a batch hashed in one worker
 * message). Writers wait for a free slot when all are in flight: this is the
 * back-pressure that keeps memory flat whatever the object size.
 */
export interface PieceSlot {
  readonly index: number;
  readonly offset: number;
  readonly view: Uint8Array;
}

/** Pieces per worker message: about 2 MiB of them (a single piece when pieces are larger). */
export const BATCH_BYTES = 2 * 1024 * 1024;
export const piecesPerBatch = (pieceLength: number): number => Math.max(1, Math.floor(BATCH_BYTES / pieceLength));

export class PieceBuffers {
  readonly sab: SharedArrayBuffer;
  private readonly free: PieceSlot[] = [];
  private readonly waiters: Array<(slot: PieceSlot) => void> = [];

  /** Bytes per slot: `piecesPerSlot` pieces. */
  readonly slotLength: number;

  constructor(
    readonly pieceLength: number,
    readonly count: number,
    readonly piecesPerSlot: number = 1,
  ) {
    this.slotLength = pieceLength * piecesPerSlot;
    const stride = Math.ceil(this.slotLength / 64) * 64;
    this.sab = new SharedArrayBuffer(stride * count);
    for (let i = 0; i < count; i++) this.free.push({ index: i, offset: i * stride, view: new Uint8Array(this.sab, i * stride, this.slotLength) });
  }

  /** A free buffer, waiting for one to be released if none is. */
  acquire(): PieceSlot | Promise<PieceSlot> {
    const slot = this.free.pop();
    if (slot) return slot;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: PieceSlot): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else this.free.push(slot);
  }

  get bytes(): number {
    return this.sab.byteLength;
  }
}
