/**
 * Captures the JSON lines an app's logger (and its EMF metrics) write, at a
 * chosen level. Powertools writes through process.stdout / process.stderr
 * (warnings and errors), so both are captured while this runs.
 */
import type { AppLogger, LogLevel } from '../../lambda/observability/logger';

export interface CapturedLogs {
  lines: string[];
  restore(): void;
}

export const captureLogs = (logger: AppLogger, level: LogLevel = 'DEBUG'): CapturedLogs => {
  const lines: string[] = [];
  const previousLevel = logger.getLevelName();
  const previousMetrics = process.env.POWERTOOLS_METRICS_DISABLED;
  logger.setLogLevel(level);
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const take = (chunk: unknown) => {
    // Only JSON lines: Node's own warnings (the SDK's Node version notice) also go to stderr.
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.startsWith('{')),
    );
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(take);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(take);
  return {
    lines,
    restore: () => {
      out.mockRestore();
      err.mockRestore();
      logger.setLogLevel(previousLevel);
      process.env.POWERTOOLS_METRICS_DISABLED = previousMetrics;
    },
  };
};
