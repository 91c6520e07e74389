/**
 * What compose builds once per process and the routes use: typed, never
 * mutated after compose returns.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config';
import type { HashPool } from './hashing/hashPool';
import type { KeyRingProvider } from './links/loadKeyRing';
import type { AppLogger } from './observability/logger';
import type { ProxyMetrics } from './observability/metrics';
import type { TorrentBuilds } from './torrents/torrentBuilds';
import type { FolderTorrents } from './torrents/folderTorrents';
import type { TorrentService } from './torrents/torrentService';
import type { LambdaJobs } from './jobs/lambdaJobs';
import type { PeerStore } from './swarm/peerStore';
import type { handOff } from './fanout/handOff';
import type { FanoutHandlers } from './fanout/localFanout';

export interface Services {
  readonly config: Config;
  readonly s3: S3Client;
  /** Client used only to presign seed redirects (a different public endpoint). */
  readonly presignS3?: S3Client;
  readonly keyRing: KeyRingProvider;
  readonly logger: AppLogger;
  readonly metrics: ProxyMetrics;
  /** SHA-1 worker threads, one per core, shared by every build in this process. */
  readonly pool: HashPool;
  readonly torrents: TorrentService;
  /** Folders (every key under a prefix) as one multi-file torrent. */
  readonly folders: FolderTorrents;
  readonly builds: TorrentBuilds;
  /** Set where background builds run in the generate function (AWS). */
  readonly lambdaJobs?: LambdaJobs;
  /** The fan-out of builds larger than one segment (docs/FANOUT.md), where a cache bucket holds the segments. */
  readonly fanout?: {
    /** The state machine's three steps (segment, join, failed): the generate function runs them in AWS, localFanout here. */
    readonly handlers: FanoutHandlers;
    /** Starts the state machine for a build of more than one segment: set where BUILD_STATE_MACHINE_ARN is (the generate function). */
    readonly handOff?: ReturnType<typeof handOff>;
  };
  /** The tracker's peer store (DynamoDB), where one is configured. */
  readonly peers?: PeerStore;
  /** Seconds since the epoch. */
  readonly now: () => number;
}
