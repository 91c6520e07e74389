import type { S3Client } from '@aws-sdk/client-s3';
import { FANOUT_HEARTBEAT_MS, generateInfo, type Segment } from '../../../lambda/torrents/generateInfo';

describe('generateInfo fan-out', () => {
  afterEach(() => jest.useRealTimers());

  test('keeps reporting progress while segments run, then counts each finished segment', async () => {
    // Arrange: three segments that finish only when the test says so.
    jest.useFakeTimers();
    const pieceLength = 16384;
    const size = 3 * 2 * pieceLength;
    const releases: Array<() => void> = [];
    const runSegment = (seg: Segment) =>
      new Promise<Buffer>((resolve) => releases.push(() => resolve(Buffer.alloc(((seg.end - seg.start) / pieceLength) * 20))));
    const reports: number[] = [];
    // Act
    const done = generateInfo(
      {} as S3Client,
      { bucket: 'b', key: 'k', expectedOwner: '123456789012', requesterPays: false },
      { size, etag: '"e"' },
      {
        pieceLength,
        name: 'k',
        concurrency: 1,
        partBytes: pieceLength,
        segmentBytes: 2 * pieceLength,
        runSegment,
        onProgress: (n) => reports.push(n),
      },
    );
    await jest.advanceTimersByTimeAsync(FANOUT_HEARTBEAT_MS * 2);
    releases[0]();
    await jest.advanceTimersByTimeAsync(FANOUT_HEARTBEAT_MS);
    releases[1]();
    releases[2]();
    const info = await done;
    // Assert: heartbeats at 0 while nothing finished, then finished bytes, never a silent stretch.
    expect(reports).toEqual([0, 0, 2 * pieceLength, 2 * pieceLength, 4 * pieceLength, 6 * pieceLength]);
    expect(info.length).toBeGreaterThan(0);
  });

  test('refuses a segment that returns the wrong number of digests', async () => {
    const pieceLength = 16384;
    await expect(
      generateInfo(
        {} as S3Client,
        { bucket: 'b', key: 'k', expectedOwner: '123456789012', requesterPays: false },
        { size: 4 * pieceLength, etag: '"e"' },
        {
          pieceLength,
          name: 'k',
          concurrency: 1,
          partBytes: pieceLength,
          segmentBytes: 2 * pieceLength,
          runSegment: async () => Buffer.alloc(20),
        },
      ),
    ).rejects.toThrow('segment 0 returned 20 digest bytes, expected 40');
  });
});
