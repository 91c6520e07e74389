/**
 * Child-process entry: the embedded S3 server (s3rver) on a free port, so it
 * does not share the benchmark's event loop. Prints `{"endpoint":...}` once
 * listening; exits when its stdin closes (the parent went away).
 */
import { startEmbeddedS3 } from '../infra/local/embeddedS3';

const directory = process.argv[2];
if (!directory) throw new Error('usage: s3Child.ts <directory>');
const s3 = await startEmbeddedS3({ port: 0, directory });
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
const stop = () => {
  void s3.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
