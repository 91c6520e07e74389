import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { once } from 'node:events';
import { SOURCE_BUCKET, putStream } from './benchConfig';
import { pseudoRandomStream } from './fixtures';
import { firstJsonLine, spawnTs } from './spawnS3';
import { log, MiB, mbps, since } from './stats';

export interface PeakRssResult {
  bytes: number;
  /** RSS after warm-up, MiB. */
  baselineMiB: number;
  /** Peak RSS (polled every 5 ms, and VmHWM reset after warm-up) minus the baseline, MiB. */
  growthMiB: number;
  vmHwmMiB?: number;
  polledPeakMiB: number;
  generatorMBps: number;
  infoHash: string;
}

interface ChildReport {
  bytes: number;
  ms: number;
  baselineRss: number;
  polledPeakRss: number;
  vmHwm?: number;
  growth: number;
  infoHash: string;
}

/**
 * Item 3: uploads `size` bytes of AES-CTR keystream (streamed, no local
 * file) and has a fresh child process build its torrent through the S3
 * server (another process) with the Lambda's generator, measuring the
 * child's own peak RSS growth. The object is deleted afterwards.
 */
export const measurePeakRss = async (client: S3Client, endpoint: string, size: number): Promise<PeakRssResult> => {
  const key = `bench-${size / 2 ** 30}gib.bin`;
  const t0 = performance.now();
  await putStream(client, SOURCE_BUCKET, key, pseudoRandomStream(size, 4), size);
  log(`  uploaded ${size / 2 ** 30} GiB in ${(since(t0) / 1000).toFixed(1)} s`);
  try {
    const child = spawnTs('rssChild.ts', [endpoint, key], { stdio: 'inherit', nodeArgs: ['--expose-gc'] });
    const report = await firstJsonLine<ChildReport>(child);
    await once(child, 'exit');
    return {
      bytes: report.bytes,
      baselineMiB: report.baselineRss / MiB,
      growthMiB: report.growth / MiB,
      vmHwmMiB: report.vmHwm === undefined ? undefined : report.vmHwm / MiB,
      polledPeakMiB: report.polledPeakRss / MiB,
      generatorMBps: mbps(report.bytes, report.ms),
      infoHash: report.infoHash,
    };
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: key }));
  }
};
