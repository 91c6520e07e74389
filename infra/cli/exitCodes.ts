/** What the CLI's exit status means; --help and the README list the same table. */
export const EXIT = {
  /** Done: the link (or magnet) is the last line of stdout. */
  ok: 0,
  /** The proxy refused or failed (an error answer, a failed build), or a local problem (no AWS credentials, no local keys). */
  failed: 1,
  /** Usage error: unknown command or option, a missing or bad value. */
  usage: 2,
  /** Could not reach the proxy: a network error, or the local runtime is not running. */
  unreachable: 3,
  /** Gave up waiting for a torrent build (--timeout). */
  timedOut: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  done: the link (or the magnet) is the last line of stdout
  1  the proxy refused or failed (an error answer, a failed build), or a local problem (no AWS credentials, no local keys)
  2  usage error: unknown command or option, a missing or bad value
  3  could not reach the proxy (network error), or the local runtime is not running
  4  gave up waiting for a torrent build (--timeout)`;
