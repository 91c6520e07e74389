/**
 * A fixed set of piece-sized, 64-byte-aligned buffers carved from one
 * SharedArrayBuffer. Writers wait for a free buffer when all are in flight:
 * this is the back-pressure that keeps memory flat whatever the object size.
 */
export interface PieceSlot {
  readonly index: number;
  readonly offset: number;
  readonly view: Uint8Array;
}

export class PieceBuffers {
  readonly sab: SharedArrayBuffer;
  private readonly free: PieceSlot[] = [];
  private readonly waiters: Array<(slot: PieceSlot) => void> = [];

  constructor(
    readonly pieceLength: number,
    readonly count: number,
  ) {
    const stride = Math.ceil(pieceLength / 64) * 64;
    this.sab = new SharedArrayBuffer(stride * count);
    for (let i = 0; i < count; i++) this.free.push({ index: i, offset: i * stride, view: new Uint8Array(this.sab, i * stride, pieceLength) });
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
