/**
 * The composition root: builds every service once from a config (clients,
 * caches, the hash pool, the torrent service and its background jobs) and
 * the four Lambda entry points over them. Nothing is mutated after this.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLambdaClient } from './aws/lambdaClient';
import type { Config } from './config';
import { HashPool } from './hashing/hashPool';
import type { BackgroundJobs } from './jobs/backgroundJobs';
import { LambdaJobs } from './jobs/lambdaJobs';
import { lambdaFolderSegmentRunner, lambdaSegmentRunner } from './jobs/lambdaSegments';
import { localJobs } from './jobs/localJobs';
import { createKeyRingProvider, type KeyRingProvider } from './links/loadKeyRing';
import { createLogger, type LogLevel } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { generateRoute } from './routes/generate';
import { mintRoute } from './routes/mint';
import { seedRoute } from './routes/seed';
import { torrentRoute } from './routes/torrent';
import { trackerRoute } from './routes/tracker';
import { swarmStatsRoute } from './routes/swarmStats';
import { trackerFunction } from './routes/trackerFunction';
import { DynamoPeerStore } from './swarm/dynamoPeerStore';
import { createS3Client } from './s3/createS3Client';
import type { Services } from './services';
import { noCache, s3TorrentCache, type TorrentCache } from './torrents/cache/torrentCache';
import { withMemoryCache } from './torrents/cache/withMemoryCache';
import { hashObjectRange } from './torrents/hashObject';
import { FolderTorrents, type FolderSegmentRunnerFactory } from './torrents/folderTorrents';
import { hashFolder } from './torrents/hashFolder';
import { StoreTorrents } from './torrents/storeTorrents';
import { TorrentBuilds, type SegmentRunnerFactory } from './torrents/torrentBuilds';
import { TorrentService } from './torrents/torrentService';

/** What a caller may supply instead of the defaults (the local runtime, tests). */
export interface ComposeOptions {
  s3?: S3Client;
  /** Client used only to presign seed redirects (a different public endpoint). */
  presignS3?: S3Client;
  cache?: TorrentCache;
  keyRing?: KeyRingProvider;
  /** Seconds since the epoch. */
  now?: () => number;
  /** Lambda API endpoint override (tests). */
  lambdaEndpoint?: string;
  logLevel?: LogLevel;
}

export interface App {
  services: Services;
  handlers: {
    torrentHandler: ReturnType<typeof torrentRoute>;
    seedHandler: ReturnType<typeof seedRoute>;
    mintHandler: ReturnType<typeof mintRoute>;
    generateHandler: ReturnType<typeof generateRoute>;
    /** The tracker function: announce and scrape, and the owner's swarm statistics. */
    trackerHandler: (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;
  };
  /** Stops the hash workers (tools and tests that exit on their own; Lambda never calls it). */
  close(): Promise<void>;
}

export const compose = (config: Config, o: ComposeOptions = {}): App => {
  const s3 = o.s3 ?? createS3Client(config.s3);
  const { cache: cacheConfig } = config;
  const cache =
    o.cache ??
    withMemoryCache(
      cacheConfig.bucket ? s3TorrentCache(s3, cacheConfig.bucket, cacheConfig.prefix, cacheConfig.expectedOwner) : noCache,
      config.memoryCacheBytes,
    );
  const pool = new HashPool();
  const metrics = createMetrics();
  const logger = createLogger({ level: o.logLevel });
  // In AWS, background builds and fan-out segments run in the generate function; locally, in this process.
  const lambda = config.asyncFunctionName && cacheConfig.bucket ? createLambdaClient(config.s3.region, o.lambdaEndpoint) : undefined;
  const localSegments: SegmentRunnerFactory = (target, head, pieceLength) => (segment) =>
    hashObjectRange(s3, target.ref, head, segment, { pieceLength, name: '', concurrency: config.readConcurrency, partBytes: config.readPartBytes, pool });
  const localFolderSegments: FolderSegmentRunnerFactory = (target, manifest, pieceLength) => (segment) => {
    const { key: _key, ...base } = target.ref;
    return hashFolder(s3, base, manifest.files, { pieceLength, segment, concurrency: config.readConcurrency, partBytes: config.readPartBytes, pool });
  };
  const builds = new TorrentBuilds({
    s3,
    cache,
    config,
    pool,
    metrics,
    runSegment: lambda ? lambdaSegmentRunner(lambda, config.asyncFunctionName!) : localSegments,
  });
  const lambdaJobs =
    lambda && cacheConfig.bucket
      ? new LambdaJobs({
          s3,
          cache,
          cacheBucket: cacheConfig.bucket,
          cachePrefix: cacheConfig.prefix,
          expectedOwner: cacheConfig.expectedOwner,
          lambda,
          functionName: config.asyncFunctionName!,
          builds,
        })
      : undefined;
  const jobs: BackgroundJobs = lambdaJobs ?? localJobs(builds);
  const { swarm } = config;
  const peers = swarm.peerTable
    ? new DynamoPeerStore({ client: new DynamoDBClient({ region: config.s3.region, endpoint: swarm.dynamoEndpoint }), table: swarm.peerTable })
    : undefined;
  const keyRing = o.keyRing ?? createKeyRingProvider(config.links, config.s3.region);
  const services: Services = Object.freeze({
    config,
    s3,
    presignS3: o.presignS3,
    keyRing,
    peers,
    logger,
    metrics,
    pool,
    torrents: new TorrentService({ s3, config, store: new StoreTorrents({ s3, config, metrics }), builds, jobs, metrics }),
    // A Lambda function stops when its response ends: there, large folders are built by the generate function.
    folders: new FolderTorrents({
      s3,
      cache,
      config,
      pool,
      metrics,
      backgroundBuilds: !lambda,
      jobs: lambdaJobs,
      runSegment: lambda ? lambdaFolderSegmentRunner(lambda, config.asyncFunctionName!) : localFolderSegments,
    }),
    builds,
    lambdaJobs,
    now: o.now ?? (() => Math.floor(Date.now() / 1000)),
  });
  return Object.freeze({
    services,
    handlers: Object.freeze({
      torrentHandler: torrentRoute(services),
      seedHandler: seedRoute(services),
      mintHandler: mintRoute(services),
      generateHandler: generateRoute(services),
      trackerHandler: trackerFunction(
        trackerRoute({ peers, keyRing, logger, metrics, intervalSeconds: swarm.intervalSeconds, maxPeers: swarm.maxPeers }),
        swarmStatsRoute(services),
      ),
    }),
    close: () => pool.close(),
  });
};
