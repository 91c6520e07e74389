import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) used so far by another process, from /proc (undefined off Linux). */
export const processCpuSeconds = (pid: number): number | undefined => {
  try {
    // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
};

/** CPU seconds used so far by this process, every thread (hash workers included). */
export const ownCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface CpuSpan {
  /** Core-seconds of this process (with its worker threads). */
  own: number;
  /** Core-seconds of the S3 server process. */
  store?: number;
}

/** Runs `fn` and returns its result with the CPU time it cost here and in process `storePid`. */
export const withCpu = async <T>(storePid: number | undefined, fn: () => Promise<T>): Promise<{ value: T; cpu: CpuSpan }> => {
  const own0 = ownCpuSeconds();
  const store0 = storePid === undefined ? undefined : processCpuSeconds(storePid);
  const value = await fn();
  const own = ownCpuSeconds() - own0;
  const store1 = storePid === undefined ? undefined : processCpuSeconds(storePid);
  return { value, cpu: { own, store: store0 === undefined || store1 === undefined ? undefined : store1 - store0 } };
};
