/**
 * `npm run link -- <bucket>/<key> [--ttl 7d] [--prefix <p>] [--version <id>] [--magnet] [--stats] [--api <url>]`
 *
 * Without --api: signs a link for the local runtime with its key ring
 * (<DATA_DIR>/link-keys.json); --magnet asks the running local runtime.
 * With --api <deployed API URL>: calls POST /links with your AWS credentials
 * (SigV4, execute-api), so the deployed stack signs it.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { parseKeyRing } from '../../lambda/links/keyRing';
import { parseTtl } from '../../lambda/links/parseTtl';
import { mintShareLink } from '../../lambda/links/shareLinks';
import { objectKeyProblem } from '../../lambda/policy/objectKeyProblem';
import { bucketNameProblem } from '../../lambda/s3/bucketNameProblem';
import { localKeysPath } from './localKeys';
import { regionOfApiUrl, sigv4Json, sigv4PostJson } from './sigv4Fetch';

const USAGE = `Usage: npm run link -- <bucket>/<key> [--ttl 7d] [--prefix <prefix>] [--version <id>] [--folder] [--magnet] [--stats] [--api <url>] [--region <r>] [--json]
  --ttl      link lifetime: seconds or 30m, 12h, 7d, 2w (default 7d; at most LINK_MAX_TTL_SECONDS, default 30d)
  --prefix   let the link open every key under this prefix of <key>
  --version  pin the link to this object version (VersionId): its torrent always describes that version
  --folder   <key> is a prefix ending in /: share every object under it as one multi-file torrent
  --magnet   also print the magnet form (needs the torrent's info-hash: asks the proxy)
  --stats    also print the swarm: seeders, leechers, completed downloads, bytes the web seed served
  --api      a deployed API (ApiUrl output); the link is minted there with your AWS credentials
  --json     print the whole answer as JSON`;

const fail = (message: string): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};

const main = async () => {
  const parse = () =>
    parseArgs({
      allowPositionals: true,
      options: {
        ttl: { type: 'string', default: '7d' },
        prefix: { type: 'string' },
        version: { type: 'string' },
        folder: { type: 'boolean', default: false },
        magnet: { type: 'boolean', default: false },
        stats: { type: 'boolean', default: false },
        api: { type: 'string' },
        region: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    return fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) return fail('Give exactly one <bucket>/<key>.');
  const target = positionals[0];
  const slash = target.indexOf('/');
  if (slash < 1) return fail(`"${target}" is not <bucket>/<key>.`);
  const bucket = target.slice(0, slash);
  const key = target.slice(slash + 1);
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) return fail(`Bucket name ${bucketProblem}.`);
  const keyProblem = objectKeyProblem(key);
  if (keyProblem) return fail(`Key ${keyProblem}.`);
  const ttl = parseTtl(values.ttl!);
  if (ttl === undefined) return fail(`--ttl "${values.ttl}" is not seconds or a duration like 30m, 12h, 7d.`);
  if (values.prefix !== undefined && (values.prefix === '' || !key.startsWith(values.prefix))) return fail('--prefix must be a non-empty prefix of the key.');

  if (values.version !== undefined && values.prefix !== undefined) return fail('--version pins one object; it cannot be combined with --prefix.');
  if (values.folder && (!key.endsWith('/') || values.prefix !== undefined || values.version !== undefined)) {
    return fail('--folder needs <bucket>/<prefix>/ (ending in /), without --prefix or --version.');
  }
  const request = {
    bucket,
    key,
    ttl: values.ttl,
    prefix: values.prefix,
    version: values.version,
    folder: values.folder || undefined,
    magnet: values.magnet || values.stats,
  };
  let answer: Record<string, unknown>;
  if (values.api) {
    const api = values.api.replace(/\/+$/, '');
    const region = values.region ?? regionOfApiUrl(api) ?? process.env.AWS_REGION;
    if (!region) return fail('Cannot tell the region from --api; pass --region.');
    const res = await sigv4PostJson(`${api}/links`, request, region);
    if (res.status !== 201) {
      console.error(`The API refused (${res.status}): ${JSON.stringify(res.json)}`);
      process.exit(1);
    }
    answer = res.json as Record<string, unknown>;
  } else {
    const base = process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT || 3000}`;
    if (values.magnet || values.stats) {
      // The info-hash needs the object: ask the running local runtime's /links route.
      let res: Response;
      try {
        res = await fetch(`${base}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      } catch {
        console.error(`--magnet needs the local runtime: start it with \`npm start\` (expected at ${base}).`);
        process.exit(1);
      }
      answer = (await res.json()) as Record<string, unknown>;
      if (res.status !== 201) {
        console.error(`The local runtime refused (${res.status}): ${JSON.stringify(answer)}`);
        process.exit(1);
      }
    } else {
      const file = localKeysPath(resolve(process.env.DATA_DIR ?? '.local'));
      if (!existsSync(file)) {
        console.error(`No local link keys at ${file}: run \`npm start\` once to create them.`);
        process.exit(1);
      }
      const max = Number(process.env.LINK_MAX_TTL_SECONDS ?? 30 * 86400);
      if (ttl > max) return fail(`--ttl may be at most ${max} seconds (LINK_MAX_TTL_SECONDS).`);
      const exp = Math.floor(Date.now() / 1000) + ttl;
      const link = mintShareLink(parseKeyRing(readFileSync(file, 'utf8')), {
        baseUrl: base,
        bucket,
        key,
        prefix: values.prefix,
        version: values.version,
        folder: values.folder,
        exp,
      });
      answer = { url: link.url, seedUrl: link.seedUrl, exp, expiresAt: new Date(exp * 1000).toISOString(), kid: link.kid };
    }
  }
  if (values.json) {
    console.log(JSON.stringify(answer, null, 2));
    return;
  }
  console.log(`${answer.url}`);
  if (answer.magnet && values.magnet) console.log(`${answer.magnet}`);
  if (values.stats && typeof answer.infoHash === 'string') {
    const url = `${values.api ? values.api.replace(/\/+$/, '') : (process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${process.env.PORT || 3000}`)}/swarm/${answer.infoHash}`;
    const region = values.region ?? regionOfApiUrl(url) ?? process.env.AWS_REGION ?? 'us-east-1';
    const res = values.api ? await sigv4Json('GET', url, region) : await fetch(url).then(async (r) => ({ status: r.status, json: await r.json() }));
    if (res.status !== 200) {
      console.error(`The swarm statistics were refused (${res.status}): ${JSON.stringify(res.json)}`);
      process.exit(1);
    }
    const st = res.json as { seeders: number; leechers: number; downloaded: number; seedBytes: number };
    console.error(
      `swarm ${answer.infoHash}: ${st.seeders} seeders, ${st.leechers} leechers, ${st.downloaded} completed, ${st.seedBytes} bytes from the web seed`,
    );
  } else if (values.stats) console.error('swarm statistics: the torrent is still being built; ask again later.');
  console.error(`(expires ${answer.expiresAt}, key ${answer.kid})`);
};

main().catch((err) => {
  console.error(`Could not mint the link: ${(err as Error).message}`);
  process.exit(1);
});
