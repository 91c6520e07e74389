/**
 * One hashing pipeline for objects and folders: parts planned over the
 * concatenation of the files (a part may span many files, a file many parts),
 * read from the embedded s3rver through the real SDK and checked against
 * node:crypto SHA-1 over the concatenated bytes.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { EMBEDDED_ACCOUNT_ID, ensureBucket, s3ClientFor, startEmbeddedS3, type EmbeddedS3 } from '../../../infra/local/embeddedS3';
import { HashPool } from '../../../lambda/hashing/hashPool';
import { planSegments } from '../../../lambda/torrents/generateInfo';
import { planFileParts } from '../../../lambda/torrents/hashFiles';
import { hashFolder, type FolderFile } from '../../../lambda/torrents/hashFolder';
import { hashObjectRange } from '../../../lambda/torrents/hashObject';
import { rangedGet, startFaultProxy } from '../../helpers/faultProxy';

const BUCKET = 'hash-files';
const BASE = { bucket: BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, requesterPays: false };

/** Piece digests by node:crypto over the concatenation: the independent answer. */
const expectedPieces = (bytes: Buffer, pieceLength: number): string => {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += pieceLength)
    out.push(
      createHash('sha1')
        .update(bytes.subarray(at, at + pieceLength))
        .digest(),
    );
  return Buffer.concat(out).toString('hex');
};

describe('planFileParts', () => {
  test('cuts parts across files: zero-length files give no slice, a part boundary on a file boundary starts the next file', () => {
    // Files of 3, 0, 5, 4 bytes (12 in all) in parts of one 4-byte piece: the first part ends exactly where file 2's second byte is.
    expect(planFileParts([3, 0, 5, 4], { start: 0, end: 12 }, 4, 4)).toEqual([
      {
        start: 0,
        end: 3,
        slices: [
          { file: 0, start: 0, end: 2 },
          { file: 2, start: 0, end: 0 },
        ],
      },
      { start: 4, end: 7, slices: [{ file: 2, start: 1, end: 4 }] },
      { start: 8, end: 11, slices: [{ file: 3, start: 0, end: 3 }] },
    ]);
  });

  test('starts a segment in the middle of a file, skipping the empty files before it', () => {
    expect(planFileParts([6, 0, 0, 6], { start: 8, end: 12 }, 4, 4)).toEqual([{ start: 8, end: 11, slices: [{ file: 3, start: 2, end: 5 }] }]);
  });

  test('refuses a segment that is not piece-aligned or not inside the files', () => {
    expect(() => planFileParts([10], { start: 2, end: 10 }, 4, 4)).toThrow(RangeError);
    expect(() => planFileParts([10], { start: 0, end: 11 }, 4, 4)).toThrow(RangeError);
  });

  test('every part is contiguous, whole pieces (but the last), and exactly the bytes of the files it names, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 200 })), { maxLength: 30 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        (sizes, pieceLength, partBytes, cut) => {
          const total = sizes.reduce((a, b) => a + b, 0);
          const segments = planSegments(total, pieceLength, (cut % 5) * pieceLength || total || 1);
          const problems: string[] = [];
          // The concatenation as (file, offset) per byte, to check every slice against.
          const owner = sizes.flatMap((n, file) => Array.from({ length: n }, (_, offset) => `${file}:${offset}`));
          for (const seg of segments.length ? segments : [{ start: 0, end: 0 }]) {
            const parts = planFileParts(sizes, seg, pieceLength, partBytes);
            let at = seg.start;
            parts.forEach((p, i) => {
              if (p.start !== at) problems.push(`part ${i} starts at ${p.start}, not ${at}`);
              if (p.start % pieceLength !== 0) problems.push(`part ${i} starts mid-piece`);
              const bytes = p.slices.flatMap((s) => {
                if (sizes[s.file] === 0 || s.start > s.end || s.end >= sizes[s.file]) problems.push(`part ${i}: bad slice ${JSON.stringify(s)}`);
                return Array.from({ length: s.end - s.start + 1 }, (_, k) => `${s.file}:${s.start + k}`);
              });
              if (bytes.join() !== owner.slice(p.start, p.end + 1).join()) problems.push(`part ${i} is not the bytes [${p.start}, ${p.end}]`);
              at = p.end + 1;
            });
            if (at !== seg.end) problems.push(`segment ends at ${at}, not ${seg.end}`);
          }
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('hashFolder and hashObjectRange through the embedded s3rver (real SDK)', () => {
  let s3: EmbeddedS3;
  let client: S3Client;
  let dir: string;
  const pool = new HashPool(2);
  const put = (key: string, body: Buffer) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  /** Files under `prefix` uploaded, as a manifest lists them (key order, ETags). */
  const upload = async (prefix: string, sizes: number[]): Promise<{ files: FolderFile[]; bytes: Buffer }> => {
    const files: FolderFile[] = [];
    const bodies: Buffer[] = [];
    for (const [i, size] of sizes.entries()) {
      const body = randomBytes(size);
      const key = `${prefix}${String(i).padStart(4, '0')}.bin`;
      const out = await put(key, body);
      files.push({ key, size, etag: out.ETag! });
      bodies.push(body);
    }
    return { files, bytes: Buffer.concat(bodies) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hash-files-'));
    s3 = await startEmbeddedS3({ port: 0, directory: dir });
    client = s3ClientFor(s3.endpoint);
    await ensureBucket(client, BUCKET);
  });
  afterAll(async () => {
    await pool.close();
    client?.destroy();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // 0-byte files, 1-byte files, a file smaller than a piece (5,000 bytes) between large ones, and a first file of exactly one 32 KiB part.
  const AWKWARD = [32_768, 0, 1, 50_000, 5_000, 1, 70_001, 0, 0, 1];

  test.each([
    ['16 KiB pieces, parts of 2 pieces, 3 readers, 8 reads ahead', 16_384, 32_768, 3, 8],
    ['16 KiB pieces, parts of 1 piece, 1 reader, nothing read ahead', 16_384, 16_384, 1, 0],
    ['32 KiB pieces, parts of 2 pieces, 4 readers, 2 reads ahead', 32_768, 65_536, 4, 2],
    ['16 KiB pieces, one part for everything, 2 readers', 16_384, 1 << 20, 2, 8],
  ])('gives the SHA-1 pieces of the concatenation: %s', async (_label, pieceLength, partBytes, concurrency, readsAhead) => {
    const { files, bytes } = await upload(`awkward-${pieceLength}-${partBytes}-${concurrency}/`, AWKWARD);
    const pieces = await hashFolder(client, BASE, files, { pieceLength, partBytes, concurrency, readsAhead, pool });
    expect(pieces.toString('hex')).toBe(expectedPieces(bytes, pieceLength));
  });

  test('segments hashed one by one and joined in order equal the whole folder', async () => {
    const { files, bytes } = await upload('segments/', AWKWARD);
    const pieceLength = 16_384;
    const segments = planSegments(bytes.length, pieceLength, 3 * pieceLength);
    const parts = await Promise.all(
      segments.map((segment) => hashFolder(client, BASE, files, { pieceLength, partBytes: 2 * pieceLength, concurrency: 2, pool, segment })),
    );
    expect({ segments: segments.length, pieces: Buffer.concat(parts).toString('hex') }).toEqual({ segments: 4, pieces: expectedPieces(bytes, pieceLength) });
  });

  test('a single object is the same pipeline: hashObjectRange of the concatenation equals hashFolder of its files', async () => {
    const { files, bytes } = await upload('as-one/', AWKWARD);
    const one = await put('as-one.bin', bytes);
    const opts = { pieceLength: 16_384, partBytes: 32_768, concurrency: 3, pool };
    const [folder, object] = await Promise.all([
      hashFolder(client, BASE, files, opts),
      hashObjectRange(client, { ...BASE, key: 'as-one.bin' }, { size: bytes.length, etag: one.ETag! }, { start: 0, end: bytes.length }, { ...opts, name: '' }),
    ]);
    expect({ folder: folder.toString('hex'), object: object.toString('hex') }).toEqual({
      folder: expectedPieces(bytes, 16_384),
      object: expectedPieces(bytes, 16_384),
    });
  });

  test('reads small files ahead of the hasher: more GetObjects in flight than readers, never more than readers × (reads ahead + 1)', async () => {
    const sizes = Array.from({ length: 120 }, (_, i) => (i * 7919) % 3000);
    const { files, bytes } = await upload('many-small/', sizes);
    let inFlight = 0;
    let most = 0;
    const counting = s3ClientFor(s3.endpoint);
    counting.middlewareStack.add(
      (next) => async (args) => {
        most = Math.max(most, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'countInFlight' },
    );
    try {
      const pieces = await hashFolder(counting, BASE, files, { pieceLength: 16_384, partBytes: 65_536, concurrency: 2, readsAhead: 4, pool });
      expect({ pieces: pieces.toString('hex'), readAhead: most > 2, bounded: most <= 2 * 5 }).toEqual({
        pieces: expectedPieces(bytes, 16_384),
        readAhead: true,
        bounded: true,
      });
    } finally {
      counting.destroy();
    }
  });

  test('a file changed after it was listed fails the whole build with 412 (ETag compare: s3rver ignores If-Match), returning nothing', async () => {
    const { files } = await upload('changed/', [40_000, 3, 40_000]);
    await put(files[1].key, randomBytes(3));
    await expect(hashFolder(client, BASE, files, { pieceLength: 16_384, partBytes: 16_384, concurrency: 2, pool })).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
  });

  test('a body broken mid-file (fault proxy: connection reset) resumes from the first byte not delivered, with the same pieces', async () => {
    const { files, bytes } = await upload('resumed/', [1, 60_000, 0, 30_000]);
    const fp = await startFaultProxy(s3.endpoint);
    const viaProxy = s3ClientFor(fp.endpoint);
    try {
      fp.inject({ when: rangedGet(BUCKET, files[1].key, 0), fault: { kind: 'reset', afterBytes: 10_000 } });
      const pieces = await hashFolder(viaProxy, BASE, files, { pieceLength: 16_384, partBytes: 1 << 20, concurrency: 1, pool, backoffMs: 1 });
      const reads = fp.log.filter(rangedGet(BUCKET, files[1].key)).map((r) => r.range);
      expect({ pieces: pieces.toString('hex'), faults: fp.fired().length, resumedAfterReset: reads.length === 2 && reads[0] === 'bytes=0-59999' }).toEqual({
        pieces: expectedPieces(bytes, 16_384),
        faults: 1,
        resumedAfterReset: true,
      });
    } finally {
      viaProxy.destroy();
      await fp.close();
    }
  });
});
