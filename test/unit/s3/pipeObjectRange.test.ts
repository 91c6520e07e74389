/**
 * pipeObjectRange: the build's ranged read, chunks handed to a sink from
 * 'data' events. Against a fake client whose bodies can break mid-way: every
 * byte arrives once, in order; a resume asks from the first byte not handed
 * over; the sink's back-pressure is honoured; the sink's own errors are never
 * retried.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectChangedError } from '../../../lambda/s3/readObjectRange';
import { pipeObjectRange } from '../../../lambda/s3/streamObjectRange';

const REF = { bucket: 'b', key: 'k', expectedOwner: '123456789012', requesterPays: false };
const OBJECT = randomBytes(300_000);
const ETAG = '"v1"';

/** A body of `bytes` in `chunk`-byte chunks that, if `breakAfter` is set, fails with ECONNRESET after that many bytes. */
const body = (bytes: Buffer, chunk: number, breakAfter?: number): Readable => {
  let at = 0;
  return new Readable({
    read() {
      if (breakAfter !== undefined && at >= breakAfter) return void this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      if (at >= bytes.length) return void this.push(null);
      const n = Math.min(chunk, bytes.length - at, breakAfter === undefined ? Infinity : breakAfter - at);
      this.push(bytes.subarray(at, at + n));
      at += n;
    },
  });
};

/** A client answering ranged GetObjects of OBJECT; `breaks[i]` makes the i-th answer's body break after that many bytes. */
const fakeClient = (opts: { breaks?: Array<number | undefined>; etags?: string[] } = {}) => {
  const ranges: string[] = [];
  const client = {
    send: async (cmd: { input: { Range: string } }) => {
      const i = ranges.push(cmd.input.Range) - 1;
      const [, a, b] = /bytes=(\d+)-(\d+)/.exec(cmd.input.Range)!.map(Number);
      return {
        $metadata: { httpStatusCode: 206 },
        ContentRange: `bytes ${a}-${b}/${OBJECT.length}`,
        ETag: opts.etags?.[i] ?? ETAG,
        Body: body(OBJECT.subarray(a, b + 1), 16 * 1024, opts.breaks?.[i]),
      };
    },
  } as unknown as S3Client;
  return { client, ranges };
};

describe('pipeObjectRange', () => {
  test('hands every byte of the range once, in order, resuming a broken body from the first byte not handed over', async () => {
    const { client, ranges } = fakeClient({ breaks: [50_000, 70_001] });
    const got: Buffer[] = [];
    await pipeObjectRange(client, REF, { start: 1000, end: 250_999, etag: ETAG }, (c) => void got.push(Buffer.from(c)), { backoffMs: 1 });
    expect(Buffer.concat(got).equals(OBJECT.subarray(1000, 251_000))).toBe(true);
    expect(ranges).toEqual(['bytes=1000-250999', 'bytes=51000-250999', 'bytes=121001-250999']);
  });

  test('waits while the sink makes it wait: no call overlaps a pending one, across a resume too', async () => {
    const { client } = fakeClient({ breaks: [40_000] });
    let busy = false;
    let overlaps = 0;
    let n = 0;
    const got: Buffer[] = [];
    await pipeObjectRange(
      client,
      REF,
      { start: 0, end: OBJECT.length - 1, etag: ETAG },
      (c) => {
        if (busy) overlaps++;
        got.push(Buffer.from(c));
        if (n++ % 2) return;
        busy = true;
        return new Promise<void>((ok) => setTimeout(ok, 2)).then(() => {
          busy = false;
        });
      },
      { backoffMs: 1 },
    );
    expect(overlaps).toBe(0);
    expect(Buffer.concat(got).equals(OBJECT)).toBe(true);
  });

  test("throws the sink's own error (thrown or rejected) without another request", async () => {
    for (const sink of [
      () => {
        throw new Error('no slot');
      },
      () => Promise.reject(new Error('no slot')),
    ]) {
      const { client, ranges } = fakeClient();
      await expect(pipeObjectRange(client, REF, { start: 0, end: 99_999, etag: ETAG }, sink, { backoffMs: 1 })).rejects.toThrow('no slot');
      expect(ranges).toHaveLength(1);
    }
  });

  test('fails with 412 when a resumed read answers with another version, keeping nothing of it', async () => {
    const { client, ranges } = fakeClient({ breaks: [20_000], etags: [ETAG, '"v2"'] });
    let got = 0;
    const read = pipeObjectRange(
      client,
      REF,
      { start: 0, end: 99_999, etag: ETAG },
      (c) => {
        got += c.length;
      },
      { backoffMs: 1 },
    );
    await expect(read).rejects.toBeInstanceOf(ObjectChangedError);
    expect(got).toBe(20_000);
    expect(ranges).toHaveLength(2);
  });

  test('gives up after its attempts with the last read error', async () => {
    const { client, ranges } = fakeClient({ breaks: [1000, 1000, 1000] });
    const read = pipeObjectRange(client, REF, { start: 0, end: 99_999, etag: ETAG }, () => undefined, { attempts: 3, backoffMs: 1 });
    await expect(read).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(ranges).toHaveLength(3);
  });
});
