import type { ExitCode } from './exitCodes';

/** A failure the CLI reports as one message on stderr and an exit code, never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Print the command's usage after the message (usage errors). */
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
