/**
 * `npm start`: the local runtime with demo data. Prints a working share link.
 */
import { startLocal } from './startLocal';
import { DEMO_BUCKET, DEMO_FOLDER, DEMO_KEY } from './embeddedS3';
import { mintLink } from '../../lambda/routes/mint';
import { ConfigError } from '../../lambda/config';
import { createLogger } from '../../lambda/observability/logger';

const portOf = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name} must be a port number (0-65535), got "${raw}"`);
    process.exit(2);
  }
  return n;
};

// CloudWatch EMF lines mean nothing in a terminal: off unless asked for (POWERTOOLS_METRICS_DISABLED=false).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const main = async () => {
  const port = portOf('PORT', 3000);
  const s3Port = portOf('S3_PORT', 4569);
  const s3Endpoint = process.env.S3_ENDPOINT || undefined;
  // Under `npm start` we own the log output: keep it readable (JSON lines stay JSON).
  const runtime = await startLocal({
    port,
    s3Port,
    s3Endpoint,
    // s3rver and dynalite in a child process of their own: their work stays off the proxy's event loop.
    embeddedServers: 'child-process',
    dataDir: process.env.DATA_DIR,
    env: {
      SERVED_BUCKETS: process.env.SERVED_BUCKETS,
      CACHE_BUCKET: process.env.CACHE_BUCKET,
      SEED_MODE: process.env.SEED_MODE,
      TRACKERS: process.env.TRACKERS,
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
    },
  });
  const demoServed = runtime.config.buckets.has(DEMO_BUCKET) && !s3Endpoint;
  const lines = [
    '',
    's3-torrent-proxy local runtime',
    `  proxy       ${runtime.baseUrl}  (API Gateway events -> the Lambda handlers)`,
    `  S3 endpoint ${runtime.s3Endpoint}${s3Endpoint ? '' : '  (embedded s3rver, credentials S3RVER/S3RVER, path-style)'}`,
    `  served      ${[...runtime.config.buckets.keys()].join(', ')}`,
  ];
  if (demoServed) {
    // Mint through the same code as the deployed /links route; magnet needs the info-hash, which warms the cache too.
    // The demo build's own log lines would only push the banner off screen.
    const quiet = createLogger({ level: 'WARN' });
    const link = await mintLink(runtime.app.services, { bucket: DEMO_BUCKET, key: DEMO_KEY, ttl: '7d', magnet: true }, runtime.baseUrl, quiet);
    lines.push(
      '',
      `Share link for the demo object "${DEMO_BUCKET}/${DEMO_KEY}" (valid 7 days):`,
      `  ${link.url}`,
      '  (open it in a browser for the share page; BitTorrent clients given the same link get the .torrent)',
      '',
      'Fetch the .torrent:',
      `  curl -fsS -o demo.torrent '${link.url}'`,
      'Download the bytes with any BitTorrent client, e.g.:',
      `  aria2c --seed-time=0 demo.torrent`,
      'Magnet form (works once a peer in the swarm has the torrent; until then use the .torrent):',
      `  ${link.magnet}`,
      '',
      `The whole demo folder as one two-file torrent: npm run link -- ${DEMO_BUCKET}/${DEMO_FOLDER} --folder`,
      'More links: npm run link -- <bucket>/<key> [--ttl 7d] [--magnet]   (or npx s3-torrent-proxy link …; --help for all options)',
    );
  }
  lines.push('', 'Ctrl-C to stop.', '');
  console.log(lines.join('\n'));
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port already in use (${(err as Error).message}). Set PORT or S3_PORT to free ports, e.g. PORT=3001 S3_PORT=4570 npm start`);
  } else console.error('Could not start the local runtime:', err);
  process.exit(1);
});
