/**
 * The `s3-torrent-proxy` command (bin/s3-torrent-proxy.js loads this through
 * tsx): subcommands, --help, --version, and exit codes (exitCodes.ts). Every
 * failure is one message on stderr and an exit code, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { CliError } from './CliError';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from './exitCodes';
import type { Io } from './io';
import { LINK_USAGE } from './linkUsage';

/** The package's version, from its package.json. */
export const packageVersion = (): string => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const COMMANDS: Record<string, { summary: string; usage: string; run: (argv: string[], io: Io) => Promise<void> }> = {
  link: {
    summary: 'mint a share link (and its magnet) for an S3 object, a prefix or a folder',
    usage: LINK_USAGE,
    // Imported when run, so --help and --version start fast.
    run: async (argv, io) => (await import('./linkCommand')).linkCommand(argv, io),
  },
};

export const USAGE = `Usage: s3-torrent-proxy <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(20)} ${c.summary}`)
  .join('\n')}
  ${'help [command]'.padEnd(20)} show the help of a command

Options:
  -h, --help           show this help
  -V, --version        print the version

In a checkout, after npm ci:  npx s3-torrent-proxy link <bucket>/<key> …   (or: npm run link -- <bucket>/<key> …)

${EXIT_CODES_HELP}`;

const processIo = (): Io => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

const dispatch = async (argv: string[], io: Io): Promise<void> => {
  const [first, ...rest] = argv;
  if (first === undefined) throw new CliError('Give a command.', EXIT.usage, USAGE);
  if (first === '-h' || first === '--help') return io.out(USAGE);
  if (first === '-V' || first === '--version') return io.out(packageVersion());
  if (first === 'help') {
    if (rest.length === 0) return io.out(USAGE);
    const command = COMMANDS[rest[0]];
    if (!command) throw new CliError(`Unknown command "${rest[0]}".`, EXIT.usage, USAGE);
    return io.out(command.usage);
  }
  if (first.startsWith('-')) throw new CliError(`Unknown option ${first}: give a command first.`, EXIT.usage, USAGE);
  const command = COMMANDS[first];
  if (!command) throw new CliError(`Unknown command "${first}".`, EXIT.usage, USAGE);
  // Help needs nothing the command itself imports.
  if (rest.includes('-h') || rest.includes('--help')) return io.out(command.usage);
  await command.run(rest, io);
};

/** Runs the CLI; resolves with its exit code. */
export const runCli = async (argv: string[], io: Io = processIo()): Promise<ExitCode> => {
  try {
    await dispatch(argv, io);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) {
      io.err(err.usage ? `${err.message}\n\n${err.usage}` : err.message);
      return err.exitCode;
    }
    io.err(`s3-torrent-proxy: ${(err as Error).message ?? String(err)}`);
    return EXIT.failed;
  }
};
