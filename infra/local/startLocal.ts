/**
 * The local runtime: the same middy handlers that run in Lambda, behind a
 * local HTTP server that speaks API Gateway events, against an embedded
 * S3-compatible server (or any S3 endpoint given by S3_ENDPOINT) and an
 * embedded DynamoDB-compatible one, both by default in a child process that
 * starts and stops with the runtime (embeddedServers.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { installLambdaGlobals } from './lambdaRuntime';
import { startupGate } from './startupGate';
import { startEmbeddedServers, type EmbeddedServers, type ServerPlacement } from './embeddedServers';

installLambdaGlobals();

import { loadConfig, type Config } from '../../lambda/config';
import { compose, type App, type ComposeOptions } from '../../lambda/compose';
import { apiGatewayListener, type Route } from './apiGatewayAdapter';
import { DEMO_BUCKET, EMBEDDED_ACCOUNT_ID, EMBEDDED_CREDENTIALS, ensureBucket, ensureDemoObject, s3ClientFor } from './embeddedS3';
import { loadOrCreateLocalKeys } from './localKeys';

export interface LocalOptions {
  /** HTTP port of the proxy (0 = any free port). */
  port?: number;
  /** Port of the embedded DynamoDB-compatible server (default: any free port). Ignored with DYNAMODB_ENDPOINT. */
  dynamoPort?: number;
  /** Port of the embedded S3 server (0 = any free port). Ignored with s3Endpoint. */
  s3Port?: number;
  /** Use this S3-compatible endpoint instead of the embedded server. */
  s3Endpoint?: string;
  /** Where keys and embedded S3 data live. */
  dataDir?: string;
  /** Extra environment (same variables as in Lambda) over the local defaults. */
  env?: Record<string, string | undefined>;
  /** Put the demo object in place (embedded server only). */
  demo?: boolean;
  /**
   * Where the embedded S3 and DynamoDB-compatible servers run: in a child process of their own
   * (the default, and what `npm start` runs: their work stays off the proxy's event loop), or in
   * this process (starts quicker; tests).
   */
  embeddedServers?: ServerPlacement;
  deps?: ComposeOptions;
}

export interface LocalRuntime {
  baseUrl: string;
  s3Endpoint: string;
  config: Config;
  keysJson: string;
  app: App;
  server: Server;
  /** The process the embedded servers run in (this one with `embeddedServers: 'in-process'`); undefined when none runs. */
  serversPid?: number;
  close(): Promise<void>;
}

export const LOCAL_CACHE_BUCKET = 'torrent-cache';
/** The peer store's table in the embedded DynamoDB-compatible server. */
export const LOCAL_PEER_TABLE = 'peers';

/** How long requests in flight may finish once shutdown begins; then their connections are closed. */
const SHUTDOWN_GRACE_MS = 2000;

const definedOnly = (env: Record<string, string | undefined> = {}) => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));

export const startLocal = async (opts: LocalOptions = {}): Promise<LocalRuntime> => {
  const dataDir = resolve(opts.dataDir ?? '.local');
  const wanted = {
    // s3rver, unless the caller names an S3 endpoint.
    s3: opts.s3Endpoint ? undefined : { port: opts.s3Port ?? 4569, directory: resolve(dataDir, 's3') },
    // The tracker's peer store: an embedded DynamoDB-compatible server (in memory), unless DYNAMODB_ENDPOINT names one.
    dynamo: opts.env?.DYNAMODB_ENDPOINT ? undefined : { port: opts.dynamoPort ?? 0, table: LOCAL_PEER_TABLE },
  };
  // They start while this process opens its port; until both are ready the gate answers 503 Starting.
  const starting: Promise<EmbeddedServers | undefined> =
    wanted.s3 || wanted.dynamo ? startEmbeddedServers({ placement: opts.embeddedServers ?? 'child-process', ...wanted }) : Promise.resolve(undefined);
  starting.catch(() => undefined); // awaited below; a failure must not be unhandled meanwhile
  const server = createServer();
  server.requestTimeout = 0; // long downloads through the seed route
  // The port opens before the handlers exist (PUBLIC_BASE_URL needs it): until they do, and once
  // shutdown begins, every request gets an immediate 503 instead of waiting on an open socket.
  const gate = startupGate();
  server.on('request', gate.listener);
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(opts.port ?? 3000, '127.0.0.1', () => ok());
    });
    const servers = await starting;
    const embeddedS3 = servers?.s3;
    const s3Endpoint = embeddedS3?.endpoint ?? opts.s3Endpoint!;
    const keysJson = opts.env?.LINK_KEYS || loadOrCreateLocalKeys(dataDir);
    const { port } = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    const env: Record<string, string | undefined> = {
      SERVED_BUCKETS: JSON.stringify([{ name: DEMO_BUCKET, expectedOwner: EMBEDDED_ACCOUNT_ID, source: 'auto' }]),
      CACHE_BUCKET: embeddedS3 ? LOCAL_CACHE_BUCKET : undefined,
      // Proxy mode: the seed route serves bytes itself, so clients with SSRF
      // mitigation (libtorrent) never see a redirect to a signed loopback URL.
      SEED_MODE: 'proxy',
      ...definedOnly(opts.env),
      PEER_TABLE: LOCAL_PEER_TABLE,
      ...definedOnly({ DYNAMODB_ENDPOINT: servers?.dynamo?.endpoint }),
      S3_ENDPOINT: s3Endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      PUBLIC_BASE_URL: baseUrl,
      LINK_KEYS: keysJson,
      AWS_REGION: opts.env?.AWS_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
    };
    if (embeddedS3) {
      // The embedded server's fixed credentials; the SDK reads them from the environment.
      process.env.AWS_ACCESS_KEY_ID = EMBEDDED_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_CREDENTIALS.secretAccessKey;
      delete process.env.AWS_SESSION_TOKEN;
    }
    const config = loadConfig(env);
    if (embeddedS3) {
      const admin = s3ClientFor(s3Endpoint);
      try {
        await ensureBucket(admin, LOCAL_CACHE_BUCKET);
        for (const bucket of config.buckets.keys()) await ensureBucket(admin, bucket);
        if (opts.demo !== false) await ensureDemoObject(admin);
      } finally {
        admin.destroy();
      }
    }
    const app = compose(config, opts.deps);
    const { handlers } = app;
    const routes: Route[] = [
      { resource: '/torrent/{bucket}/{key+}', prefix: '/torrent/', handler: handlers.torrentHandler },
      { resource: '/seed/{token}/{bucket}/{key+}', prefix: '/seed/', handler: handlers.seedHandler },
      { resource: '/links', prefix: '/links', handler: handlers.mintHandler },
      { resource: '/announce/{token}', prefix: '/announce/', handler: handlers.trackerHandler },
      { resource: '/scrape/{token}', prefix: '/scrape/', handler: handlers.trackerHandler },
      { resource: '/swarm/{infoHash}', prefix: '/swarm/', handler: handlers.trackerHandler },
    ];
    gate.open(apiGatewayListener(routes));
    return {
      baseUrl,
      s3Endpoint,
      config,
      keysJson,
      app,
      server,
      serversPid: servers?.pid,
      close: async () => {
        await gate.drain(server, SHUTDOWN_GRACE_MS);
        await app.close();
        await servers?.close();
      },
    };
  } catch (err) {
    if (server.listening) await gate.drain(server, 0);
    await (await starting.catch(() => undefined))?.close();
    throw err;
  }
};
