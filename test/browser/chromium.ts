/**
 * What the Chromium tests share: Debian's `chromium` driven by playwright-core
 * (playwright's own browser download cannot work here), WebTorrent's browser
 * bundle fetched once by scripts/webtorrent-bundle.sh into test/.cache/, a
 * second origin on 127.0.0.1 (another port, so every request to the proxy is
 * cross-origin) and a git-ignored artifacts directory for screenshots.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve('test/.artifacts');
const BUNDLE = resolve('test/.cache/webtorrent-3.0.21/webtorrent.min.js');

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian package chromium (.ci/run does this)`);
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
};

/** WebTorrent 3.0.21's browser bundle (an ES module), fetched and integrity-checked on first use. */
export const webTorrentBundle = (): Buffer => {
  if (!existsSync(BUNDLE)) execFileSync(resolve('scripts/webtorrent-bundle.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(BUNDLE);
};

export const artifactPath = (name: string): string => {
  mkdirSync(ARTIFACTS, { recursive: true });
  return resolve(ARTIFACTS, name);
};

export interface Origin {
  url: string;
  close(): Promise<void>;
}

/** Another origin on 127.0.0.1: `/` is `html`, `/webtorrent.min.js` the bundle. */
export const startOrigin = async (html: string): Promise<Origin> => {
  const bundle = webTorrentBundle();
  const server: Server = createServer((req, res) => {
    if (req.url === '/webtorrent.min.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(bundle);
    }
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(html);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
};
