/**
 * Which proxy the CLI talks to, in this order: `--api`, the S3_TORRENT_PROXY_API
 * environment variable, the `ApiUrl` output in the file `cdk deploy
 * --outputs-file cdk-outputs.json` wrote, then the local runtime (`npm start`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './CliError';
import { EXIT } from './exitCodes';

export const API_ENV = 'S3_TORRENT_PROXY_API';
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';
/** The stack's CfnOutput holding the prod stage's base URL (infra/stack/TorrentProxyStack.ts). */
export const API_URL_OUTPUT = 'ApiUrl';

export type ApiTarget =
  /** A deployed stack: POST /links is IAM-authorized, so requests are SigV4-signed. */
  | { kind: 'deployed'; url: string; from: string }
  /** The local runtime: no IAM; links can be signed with its local keys when it is not running. */
  | { kind: 'local'; url: string; from: string };

export interface ApiChoice {
  api?: string;
  local?: boolean;
  outputsFile?: string;
  stack?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const trim = (url: string) => url.replace(/\/+$/, '');

/** The ApiUrl of a `cdk deploy --outputs-file` file: `{ "<stack>": { "ApiUrl": "https://…/prod/", … } }`. */
export const apiFromOutputsFile = (file: string, stack?: string): { url: string; stack: string } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file} is not a cdk outputs file (${(e as Error).message}).`, EXIT.usage);
  }
  const stacks = Object.entries((typeof parsed === 'object' && parsed) || {}).filter(
    ([, outputs]) => typeof outputs === 'object' && outputs !== null && typeof (outputs as Record<string, unknown>)[API_URL_OUTPUT] === 'string',
  ) as [string, Record<string, string>][];
  const chosen = stack === undefined ? stacks : stacks.filter(([name]) => name === stack);
  if (chosen.length === 0) {
    throw new CliError(
      stack === undefined
        ? `${file} has no stack with an ${API_URL_OUTPUT} output.`
        : `${file} has no stack "${stack}" with an ${API_URL_OUTPUT} output (it has: ${stacks.map(([n]) => n).join(', ') || 'none'}).`,
      EXIT.usage,
    );
  }
  if (chosen.length > 1) {
    throw new CliError(
      `${file} has several stacks with an ${API_URL_OUTPUT} output (${chosen.map(([n]) => n).join(', ')}): pick one with --stack.`,
      EXIT.usage,
    );
  }
  const [[name, outputs]] = chosen;
  return { url: trim(outputs[API_URL_OUTPUT]), stack: name };
};

/** The local runtime's base URL: PUBLIC_BASE_URL, else 127.0.0.1 on PORT (3000). */
export const localBaseUrl = (env: NodeJS.ProcessEnv) => trim(env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${env.PORT || 3000}`);

export const resolveApi = (c: ApiChoice): ApiTarget => {
  if (c.local) {
    if (c.api !== undefined) throw new CliError('--local and --api cannot be combined.', EXIT.usage);
    return { kind: 'local', url: localBaseUrl(c.env), from: '--local' };
  }
  if (c.api !== undefined) {
    if (!/^https?:\/\//.test(c.api)) throw new CliError(`--api "${c.api}" is not an http(s) URL.`, EXIT.usage);
    return { kind: 'deployed', url: trim(c.api), from: '--api' };
  }
  const fromEnv = c.env[API_ENV];
  if (fromEnv) return { kind: 'deployed', url: trim(fromEnv), from: API_ENV };
  const file = resolve(c.cwd, c.outputsFile ?? DEFAULT_OUTPUTS_FILE);
  if (existsSync(file)) {
    const { url, stack } = apiFromOutputsFile(file, c.stack);
    return { kind: 'deployed', url, from: `${c.outputsFile ?? DEFAULT_OUTPUTS_FILE}, stack ${stack}, output ${API_URL_OUTPUT}` };
  }
  if (c.outputsFile !== undefined) throw new CliError(`--outputs-file ${c.outputsFile}: no such file.`, EXIT.usage);
  return { kind: 'local', url: localBaseUrl(c.env), from: 'the local runtime' };
};
