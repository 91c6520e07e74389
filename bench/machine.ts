import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  shaNi: boolean;
  memGiB: number;
  node: string;
  os: string;
  loadAvg1m: number;
}

/** What the figures were measured on (the ratios matter more than the absolute numbers). */
export const machineInfo = (): Machine => {
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:\s*(.*)$/m)?.[1] ?? '';
  } catch {
    // not Linux
  }
  let os: string = process.platform;
  try {
    os = execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch {
    // keep the platform name
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    shaNi: /\bsha_ni\b/.test(flags),
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os,
    loadAvg1m: Math.round(loadavg()[0] * 100) / 100,
  };
};
