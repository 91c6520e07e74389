/**
 * `npm run link -- <bucket>/<key> …`, run directly with tsx: the `link`
 * command of the s3-torrent-proxy CLI (infra/cli/; `npx s3-torrent-proxy link --help`).
 */
import { runCli } from '../cli/main';

process.exitCode = await runCli(['link', ...process.argv.slice(2)]);
