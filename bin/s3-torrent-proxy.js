#!/usr/bin/env node
// The s3-torrent-proxy command: loads the TypeScript CLI (infra/cli/main.ts) through tsx's
// loader API in this same process (no second Node process to start).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../infra/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
