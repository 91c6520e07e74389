import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * SHA-1 on worker threads, one per core. Pieces live in SharedArrayBuffer
 * slabs, so a piece is hashed where it was written (no copy, no transfer).
 * The worker source is inline (`eval`), so the Lambda bundle stays one file.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', (m) => {
  const count = Math.ceil(m.length / m.pieceLength);
  // A buffer of its own (not a slice of Buffer's 8 KiB pool), moved to the caller, not cloned.
  const digest = Buffer.from(new ArrayBuffer(count * 20));
  for (let i = 0; i < count; i++) {
    const start = m.offset + i * m.pieceLength;
    const len = Math.min(m.pieceLength, m.offset + m.length - start);
    createHash('sha1').update(new Uint8Array(m.sab, start, len)).digest().copy(digest, i * 20);
  }
  parentPort.postMessage({ id: m.id, digest }, [digest.buffer]);
});
`;

interface Job {
  resolve: (digest: Buffer) => void;
  reject: (err: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  busy: number;
}

/**
 * One pool per composed set of handlers (one Lambda container): created by
 * compose, closed with it. Idle workers never keep the process alive.
 */
export class HashPool {
  readonly size: number;
  private readonly workers: PooledWorker[] = [];
  private readonly jobs = new Map<number, Job & { w: PooledWorker }>();
  private nextId = 0;
  private closed = false;

  constructor(size: number = availableParallelism()) {
    this.size = Math.max(1, size);
  }

  private spawn(): PooledWorker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const pw: PooledWorker = { worker, busy: 0 };
    worker.unref();
    worker.on('message', (m: { id: number; digest: Uint8Array }) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      if (--pw.busy === 0) worker.unref();
      job.resolve(Buffer.from(m.digest.buffer, m.digest.byteOffset, m.digest.byteLength));
    });
    worker.on('error', (err) => this.failWorker(pw, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.failWorker(pw, new Error(`hash worker exited with code ${code}`));
    });
    return pw;
  }

  private failWorker(pw: PooledWorker, err: Error) {
    const i = this.workers.indexOf(pw);
    if (i >= 0) this.workers.splice(i, 1);
    for (const [id, job] of this.jobs) {
      if (job.w === pw) {
        this.jobs.delete(id);
        job.reject(err);
      }
    }
  }

  /**
   * SHA-1 of each `pieceLength` piece of `length` bytes at `offset` (the last
   * may be shorter), in one message: batching keeps the ~30 µs cost of a
   * worker round trip off small pieces. Returns the digests concatenated.
   */
  digestPieces(sab: SharedArrayBuffer, offset: number, length: number, pieceLength: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('hash pool closed'));
    if (this.workers.length < this.size) this.workers.push(this.spawn());
    const w = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, w });
      // Keep the process alive while a job is out; idle workers never hold it open.
      if (w.busy++ === 0) w.worker.ref();
      w.worker.postMessage({ id, sab, offset, length, pieceLength });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
