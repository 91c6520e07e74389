/**
 * `s3-torrent-proxy link <bucket>/<key>`: mints a share link on a deployed
 * stack (POST /links, SigV4 with your AWS credentials) or on the local
 * runtime (its /links route, or its key ring when it is not running), and
 * with --magnet / --wait waits for a torrent that is still being built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { parseTtl } from '../../lambda/links/parseTtl';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { objectKeyProblem } from '../../lambda/policy/objectKeyProblem';
import { bucketNameProblem } from '../../lambda/s3/bucketNameProblem';
import { jsonAnswer } from '../local/jsonAnswer';
import { localKeysPath } from '../local/localKeys';
import { CliError } from './CliError';
import { EXIT } from './exitCodes';
import { LINK_USAGE } from './linkUsage';
import { progressReporter } from './progress';
import { API_ENV, DEFAULT_OUTPUTS_FILE, resolveApi, type ApiTarget } from './resolveApi';
import type { Io } from './io';
import { unreachable, waitForTorrent } from './waitForTorrent';

const OPTIONS = {
  ttl: { type: 'string', default: '7d' },
  prefix: { type: 'string' },
  version: { type: 'string' },
  folder: { type: 'boolean', default: false },
  magnet: { type: 'boolean', default: false },
  wait: { type: 'boolean', default: false },
  timeout: { type: 'string', default: '1h' },
  stats: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  api: { type: 'string' },
  region: { type: 'string' },
  'outputs-file': { type: 'string' },
  stack: { type: 'string' },
  local: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const usage = (message: string) => new CliError(message, EXIT.usage, LINK_USAGE);

/** node:util parseArgs' messages, made into one sentence that names the option. */
const parseProblem = (err: Error & { code?: string }) => {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(err.message)?.[1] ?? err.message;
    return `Unknown option ${option}.`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return err.message.replace(/\.?$/, '.');
  return err.message;
};

type Answer = Record<string, unknown> & { url?: string; magnet?: string; infoHash?: string; torrentStatus?: string; expiresAt?: string; kid?: string };

interface MintRequest {
  bucket: string;
  key: string;
  ttl: string;
  prefix?: string;
  version?: string;
  folder?: boolean;
  magnet: boolean;
}

/** Is the local runtime answering at this base URL? */
const isRunning = async (base: string) => {
  try {
    await fetch(`${base}/`, { signal: AbortSignal.timeout(1500) }).then((r) => r.arrayBuffer());
    return true;
  } catch {
    return false;
  }
};

/** A JSON request to the proxy: SigV4-signed for a deployed API (its region: --region, the URL's, else AWS_REGION). */
const requestJson = async (target: ApiTarget, method: 'GET' | 'POST', url: string, regionFlag: string | undefined, env: NodeJS.ProcessEnv, body?: unknown) => {
  try {
    if (target.kind === 'deployed') {
      // Loaded only for a deployed API: the AWS SDK's credential chain is most of the CLI's start-up.
      const { regionOfApiUrl, sigv4Json } = await import('../local/sigv4Fetch');
      const region = regionFlag ?? regionOfApiUrl(target.url) ?? env.AWS_REGION;
      if (!region) throw usage(`Cannot tell the region from ${target.url}; pass --region.`);
      return await sigv4Json(method, url, region, body);
    }
    return await jsonAnswer(
      await fetch(url, body === undefined ? {} : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    );
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof TypeError) throw unreachable(url, err);
    // The SDK's credential chain: no credentials, expired SSO session, ...
    throw new CliError(`Could not sign the request to ${url}: ${(err as Error).message}`, EXIT.failed);
  }
};

export const linkCommand = async (argv: string[], io: Io): Promise<void> => {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage(parseProblem(err as Error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(LINK_USAGE);
    return;
  }
  if (positionals.length !== 1)
    throw usage(positionals.length === 0 ? 'Give one <bucket>/<key>.' : `Give exactly one <bucket>/<key> (got ${positionals.length}).`);
  const target = positionals[0];
  const slash = target.indexOf('/');
  if (slash < 1) throw usage(`"${target}" is not <bucket>/<key>.`);
  const bucket = target.slice(0, slash);
  const key = target.slice(slash + 1);
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) throw usage(`Bucket name ${bucketProblem}.`);
  const keyProblem = objectKeyProblem(key);
  if (keyProblem) throw usage(`Key ${keyProblem}.`);
  const ttl = parseTtl(values.ttl);
  if (ttl === undefined) throw usage(`--ttl "${values.ttl}" is not seconds or a duration like 30m, 12h, 7d.`);
  const timeout = parseTtl(values.timeout);
  if (timeout === undefined) throw usage(`--timeout "${values.timeout}" is not seconds or a duration like 30m, 1h.`);
  if (values.prefix !== undefined && (values.prefix === '' || !key.startsWith(values.prefix))) throw usage('--prefix must be a non-empty prefix of the key.');
  if (values.version !== undefined && values.prefix !== undefined) throw usage('--version pins one object; it cannot be combined with --prefix.');
  if (values.folder && (!key.endsWith('/') || values.prefix !== undefined || values.version !== undefined)) {
    throw usage('--folder needs <bucket>/<prefix>/ (ending in /), without --prefix or --version.');
  }
  let api: ApiTarget;
  try {
    api = resolveApi({ api: values.api, local: values.local, outputsFile: values['outputs-file'], stack: values.stack, env: io.env, cwd: io.cwd });
  } catch (err) {
    throw err instanceof CliError && err.exitCode === EXIT.usage ? usage(err.message) : err;
  }
  const needsTorrent = values.magnet || values.stats;
  const request: MintRequest = {
    bucket,
    key,
    ttl: values.ttl,
    prefix: values.prefix,
    version: values.version,
    folder: values.folder || undefined,
    magnet: needsTorrent,
  };

  const mint = async (): Promise<Answer> => {
    const res = await requestJson(api, 'POST', `${api.url}/links`, values.region, io.env, request);
    if (res.status !== 201) {
      const who = api.kind === 'deployed' ? 'The API' : 'The local runtime';
      throw new CliError(`${who} refused (${res.status}): ${JSON.stringify(res.json)}`, EXIT.failed);
    }
    return res.json as Answer;
  };

  let answer: Answer;
  if (api.kind === 'deployed') {
    io.err(`api: ${api.url} (from ${api.from})`);
    answer = await mint();
  } else if (await isRunning(api.url)) {
    io.err(`api: ${api.url} (${api.from}, running)`);
    answer = await mint();
  } else if (needsTorrent || values.wait) {
    throw new CliError(
      `${values.wait ? '--wait' : values.magnet ? '--magnet' : '--stats'} needs the local runtime: start it with \`npm start\` (expected at ${api.url}), or name a deployed API with --api, $${API_ENV} or ${DEFAULT_OUTPUTS_FILE}.`,
      EXIT.unreachable,
    );
  } else {
    const file = localKeysPath(resolve(io.cwd, io.env.DATA_DIR ?? '.local'));
    if (!existsSync(file)) {
      throw new CliError(
        `No deployed API configured (--api, $${API_ENV}, ${DEFAULT_OUTPUTS_FILE}), the local runtime is not running at ${api.url}, and there are no local link keys at ${file}: run \`npm start\` once to create them.`,
        EXIT.failed,
      );
    }
    const max = Number(io.env.LINK_MAX_TTL_SECONDS ?? 30 * 86400);
    if (ttl > max) throw usage(`--ttl may be at most ${max} seconds (LINK_MAX_TTL_SECONDS).`);
    io.err(`api: ${api.url} (${api.from} is not running: signed with its local keys, ${file})`);
    const exp = Math.floor(Date.now() / 1000) + ttl;
    const link = mintShareLink(parseKeyRing(readFileSync(file, 'utf8')), {
      baseUrl: api.url,
      bucket,
      key,
      prefix: values.prefix,
      version: values.version,
      folder: values.folder,
      exp,
    });
    answer = { url: link.url, seedUrl: link.seedUrl, exp, expiresAt: new Date(exp * 1000).toISOString(), kid: link.kid };
  }

  // The torrent is still being built (or --wait asks to be sure it is ready): wait for it, then ask for the magnet again.
  if ((values.wait || answer.torrentStatus === 'building') && typeof answer.url === 'string') {
    const { polls } = await waitForTorrent(answer.url, { reporter: progressReporter(io.stderr), timeoutMs: timeout * 1000 });
    if (polls > 0) io.err('the torrent is ready');
    if (answer.torrentStatus === 'building') answer = await mint();
  }

  if (values.json) {
    io.out(JSON.stringify(answer, null, 2));
  } else {
    io.out(`${answer.url}`);
    if (answer.magnet && values.magnet) io.out(`${answer.magnet}`);
  }
  if (values.stats && typeof answer.infoHash === 'string') {
    const res = await requestJson(api, 'GET', `${api.url}/swarm/${answer.infoHash}`, values.region, io.env);
    if (res.status !== 200) throw new CliError(`The swarm statistics were refused (${res.status}): ${JSON.stringify(res.json)}`, EXIT.failed);
    const st = res.json as { seeders: number; leechers: number; downloaded: number; seedBytes: number };
    io.err(`swarm ${answer.infoHash}: ${st.seeders} seeders, ${st.leechers} leechers, ${st.downloaded} completed, ${st.seedBytes} bytes from the web seed`);
  } else if (values.stats) {
    io.err('swarm statistics: the torrent is still being built; ask again later.');
  }
  io.err(`(expires ${answer.expiresAt}, key ${answer.kid})`);
};
