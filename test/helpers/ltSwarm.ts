/**
 * A swarm of real libtorrent clients (scripts/lt_swarm.py) downloading
 * one torrent through its tracker and web seed on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from './torrentTools';

const run = promisify(execFile);

export interface SwarmRun {
  clients: Array<{ ok: boolean; seconds: number; peers: number; errors: string[] }>;
  private: boolean;
  trackers: string[];
}

export interface SwarmOptions {
  clients: number;
  /** Seconds between client starts. */
  delaySeconds: number;
  timeoutSeconds: number;
  /** Download limit per client, bytes/s (loopback peers included); 0 = none. */
  rate?: number;
  /** Seconds the clients keep seeding once all are done. */
  lingerSeconds?: number;
}

export const runSwarm = async (torrent: string, dir: string, o: SwarmOptions): Promise<SwarmRun> => {
  requireTool('/usr/bin/python3', 'python3-libtorrent');
  const args = [
    resolve(__dirname, '../../scripts/lt_swarm.py'),
    torrent,
    dir,
    String(o.clients),
    String(o.delaySeconds),
    String(o.timeoutSeconds),
    String(o.rate ?? 0),
    String(o.lingerSeconds ?? 0),
  ];
  const timeout = (o.timeoutSeconds + (o.lingerSeconds ?? 0) + 20) * 1000;
  try {
    const { stdout } = await run('/usr/bin/python3', args, { timeout, maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (out?.trim()) return JSON.parse(out.trim().split('\n').pop()!);
    throw err;
  }
};
