/**
 * Real BitTorrent clients from Debian (aria2, libtorrent via python3,
 * transmission-cli) downloading a .torrent from its web seed, with no
 * trackers, DHT or local discovery, so nothing leaves 127.0.0.1.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from './torrentTools';

const run = promisify(execFile);

export const aria2Download = async (torrent: string, dir: string, timeoutMs = 60_000): Promise<void> => {
  requireTool('/usr/bin/aria2c', 'aria2');
  await run(
    '/usr/bin/aria2c',
    [
      '--dir',
      dir,
      '--seed-time=0',
      '--enable-dht=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--console-log-level=warn',
      '--summary-interval=0',
      '--check-integrity=true',
      torrent,
    ],
    { timeout: timeoutMs },
  );
};

export const libtorrentDownload = async (torrent: string, dir: string, timeoutSeconds = 60): Promise<{ ok: boolean; errors: string[] }> => {
  requireTool('/usr/bin/python3', 'python3-libtorrent');
  const script = resolve(__dirname, 'lt_download.py');
  try {
    const { stdout } = await run('/usr/bin/python3', [script, torrent, dir, String(timeoutSeconds)], { timeout: (timeoutSeconds + 10) * 1000 });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (out) return JSON.parse(out.trim().split('\n').pop()!);
    throw err;
  }
};

/** transmission-cli never exits by itself: it runs a finish script, which we wait for, then stop it. */
export const transmissionDownload = async (torrent: string, dir: string, timeoutMs = 60_000): Promise<void> => {
  requireTool('/usr/bin/transmission-cli', 'transmission-cli');
  const config = join(dir, '.transmission');
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({
      'dht-enabled': false,
      'lpd-enabled': false,
      'pex-enabled': false,
      'port-forwarding-enabled': false,
      'bind-address-ipv4': '127.0.0.1',
      'peer-port-random-on-start': true,
    }),
  );
  const marker = join(dir, '.finished');
  const finish = join(config, 'finish.sh');
  writeFileSync(finish, `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
  const child = spawn('/usr/bin/transmission-cli', ['-g', config, '-w', dir, '-f', finish, '-M', torrent], { stdio: 'ignore' });
  const started = Date.now();
  try {
    while (!existsSync(marker)) {
      if (Date.now() - started > timeoutMs) throw new Error('transmission-cli did not finish in time');
      if (child.exitCode !== null) throw new Error(`transmission-cli exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    child.kill('SIGKILL');
  }
};
