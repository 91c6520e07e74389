/** The help of `s3-torrent-proxy link` (apart from linkCommand.ts, so --help loads nothing else). */
import { EXIT_CODES_HELP } from './exitCodes';
import { API_ENV, DEFAULT_OUTPUTS_FILE } from './resolveApi';

export const LINK_USAGE = `Usage: s3-torrent-proxy link <bucket>/<key> [options]
       npm run link -- <bucket>/<key> [options]

Mints a share link; prints it (and with --magnet the magnet) as the last line of stdout.

Options:
  --ttl <d>            link lifetime: seconds or 30m, 12h, 7d, 2w (default 7d; at most the proxy's LINK_MAX_TTL_SECONDS, default 30d)
  --prefix <p>         let the link open every key under this prefix of <key>
  --version <id>       pin the link to this object version (VersionId): its torrent always describes that version
  --folder             <key> is a prefix ending in /: share every object under it as one multi-file torrent
  --magnet             also print the magnet form; waits (with a progress bar) while the torrent is being built
  --wait               wait until the link's torrent is ready (a progress bar while it is being built)
  --timeout <d>        give up waiting after this long (default 1h; exit code 4)
  --stats              also print the swarm (stderr): seeders, leechers, completed downloads, bytes the web seed served
  --json               print the whole answer as JSON
  --api <url>          a deployed stack's API (its ApiUrl output); the link is minted there with your AWS credentials (SigV4)
  --region <r>         the API's region, when it is not an execute-api URL
  --outputs-file <f>   read ApiUrl from this \`cdk deploy --outputs-file\` file (default ${DEFAULT_OUTPUTS_FILE}, if present)
  --stack <name>       the stack in that file, when it holds several
  --local              use the local runtime (npm start) even when a deployed API is configured
  -h, --help           show this help

Which proxy: --api, else $${API_ENV}, else ApiUrl in ${DEFAULT_OUTPUTS_FILE} (written by
\`npx cdk deploy --outputs-file ${DEFAULT_OUTPUTS_FILE}\`), else the local runtime at
$PUBLIC_BASE_URL or http://127.0.0.1:$PORT (3000); stderr says which was used.

${EXIT_CODES_HELP}`;
