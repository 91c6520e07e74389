/**
 * The composition root: builds every service once from a config (clients,
 * caches, the hash pool, the torrent service and its background jobs) and
 * the four Lambda entry points over them. Nothing is mutated after this.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLambdaClient } from './aws/lambdaClient';
import type { Config } from './config';
import { HashPool } from './hashing/hashPool';
import type { BackgroundJobs } from './jobs/backgroundJobs';
import { LambdaJobs } from './jobs/lambdaJobs';
import { localJobs } from './jobs/localJobs';
import { createKeyRingProvider, type KeyRingProvider } from './links/loadKeyRing';
import type { BuildFinished } from './fanout/buildFinished';
import { failedHandler } from './fanout/failedHandler';
import { modelFor } from './fanout/fanoutModel';
import { folderSource, objectSource } from './fanout/fanoutSource';
import { handOff } from './fanout/handOff';
import { inProcessFanout } from './fanout/inProcessFanout';
import { joinHandler } from './fanout/joinHandler';
import type { FanoutHandlers } from './fanout/localFanout';
import { rangeHashers } from './fanout/rangeHashers';
import { segmentHandler } from './fanout/segmentHandler';
import { createLogger, type LogLevel } from './observability/logger';
import { servedObject } from './policy/servedObject';
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
import { choosePieceLength } from './metainfo/choosePieceLength';
import type { Services } from './services';
import { noCache, s3TorrentCache, type TorrentCache } from './torrents/cache/torrentCache';
import { withMemoryCache } from './torrents/cache/withMemoryCache';
import { FolderTorrents } from './torrents/folderTorrents';
import { StoreTorrents } from './torrents/storeTorrents';
import { TorrentBuilds } from './torrents/torrentBuilds';
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
  /** Step Functions API endpoint override (tests: a stub of StartExecution). */
  sfnEndpoint?: string;
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
  // In AWS, background builds run in the generate function, and builds of more than one segment on
  // the build state machine (which invokes the generate function per segment); locally, in this process.
  const lambda = config.asyncFunctionName && cacheConfig.bucket ? createLambdaClient(config.s3.region, o.lambdaEndpoint) : undefined;
  const model = modelFor(config);
  // The fan-out's steps: segment digests wait for the join in the cache bucket, so they need one.
  const served = (bucket: string, key: string) => servedObject(config.buckets, bucket, key);
  const store = cacheConfig.bucket
    ? { s3, cacheBucket: cacheConfig.bucket, cachePrefix: cacheConfig.prefix, expectedOwner: cacheConfig.expectedOwner }
    : undefined;
  // Markers only where background builds write them (AWS); `lambdaJobs` and `builds` below are read only when a step runs.
  const finished: BuildFinished = (id, state, error, log, total) => lambdaJobs?.finished(id, total, state, error, log) ?? Promise.resolve();
  const fanoutHandlers: FanoutHandlers | undefined = store && {
    segment: segmentHandler({
      ...store,
      served,
      cache,
      hashRange: rangeHashers({ s3, config, pool }),
    }),
    join: joinHandler({
      ...store,
      served,
      cache,
      finished,
      rememberPinned: (id, info, log) => builds.rememberPinned(id, info, log),
    }),
    failed: failedHandler({ ...store, served, finished }),
  };
  // Locally the same handlers run in this process; in AWS nothing fans out in-process (no function waits on others).
  const local = !lambda && model && fanoutHandlers ? inProcessFanout({ handlers: fanoutHandlers, model }) : undefined;
  const builds = new TorrentBuilds({
    s3,
    cache,
    config,
    pool,
    metrics,
    fanout: local && (async (target, head, id, log, tick) => (await local(objectSource(target, head), id, id.pieceLength, log, tick)) !== undefined),
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
  const { stateMachineArn } = config.fanout;
  const sfn = stateMachineArn && lambdaJobs && model ? new SFNClient({ region: config.s3.region, endpoint: o.sfnEndpoint }) : undefined;
  const fanout =
    fanoutHandlers &&
    Object.freeze({
      handlers: fanoutHandlers,
      handOff:
        sfn && lambdaJobs && model
          ? handOff({
              model,
              start: (r) => sfn.send(new StartExecutionCommand({ stateMachineArn, ...r })),
              handedOff: (id, total, deadlineAt, startedAt) => lambdaJobs.handedOff(id, total, deadlineAt, startedAt),
            })
          : undefined,
    });
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
      fanout:
        local && (async (target, m, id, log, tick) => (await local(folderSource(target, m), id, choosePieceLength(m.totalSize), log, tick)) !== undefined),
    }),
    builds,
    lambdaJobs,
    fanout,
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
