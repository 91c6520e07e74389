/**
 * Child-process entry for item 4's load: runs test/helpers/loadRun.ts
 * runLoad (autocannon) against one URL, so the load generator does not share
 * an event loop with the proxy it measures. Prints the figures as one JSON line.
 * argv: <url> <expected status> <connections> <seconds> [expected X-Torrent-Info-Hash]
 */
import { runLoad } from '../test/helpers/loadRun';

const [url, status, connections, seconds, infoHash] = process.argv.slice(2);
const u = new URL(url);
const figures = await runLoad(
  u.origin,
  [
    {
      name: 'load',
      path: `${u.pathname}${u.search}`,
      status: Number(status),
      check: (_body, headers) => !infoHash || headers['x-torrent-info-hash'] === infoHash,
    },
  ],
  { title: u.pathname.split('/')[1] ?? 'load', connections: Number(connections), durationSeconds: Number(seconds) },
);
process.stdout.write(`${JSON.stringify(figures)}\n`);
