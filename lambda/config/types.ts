import type { SeedingMode, SeedMode, SwarmMode, TorrentSource } from './schema';

/** An environment as process.env holds it. */
export type Env = Record<string, string | undefined>;

export interface BucketPolicy {
  /** S3 bucket name. */
  name: string;
  /** 12-digit account id sent as ExpectedBucketOwner on every call. */
  expectedOwner: string;
  /** Send RequestPayer=requester (the owner's requester-pays bucket bills us). */
  requesterPays: boolean;
  /** Only keys starting with this prefix are served ('' = all). */
  prefix: string;
  /** auto: ask the store, build when it cannot; store: forward only; generate: always build. */
  source: TorrentSource;
  /** private: peers meet only through the proxy's tracker (BEP 27 private torrent); public: also DHT, peer exchange, other trackers. */
  swarm: SwarmMode;
  /** fallback: the web seed steps back while the swarm has seeders; always: it serves every request. */
  seeding: SeedingMode;
  /**
   * Pre-build on upload (opt-in): an EventBridge "Object Created" event for a key under one of these
   * prefixes (each under `prefix`; '' = every served key) builds its torrent before anyone asks. Unset: off.
   */
  prebuild?: { prefixes: string[] };
}

export interface Config {
  buckets: ReadonlyMap<string, BucketPolicy>;
  s3: {
    region: string;
    endpoint?: string;
    forcePathStyle: boolean;
    requestTimeoutMs: number;
    maxAttempts: number;
  };
  cache: { bucket?: string; prefix: string; expectedOwner?: string };
  /** Base URL that downloaders reach (https://id.execute-api.region.amazonaws.com/prod). Derived from the request when unset. */
  publicBaseUrl?: string;
  seedMode: SeedMode;
  presignTtlSeconds: number;
  links: {
    /** Inline key ring JSON (local runtime, tests). */
    keysJson?: string;
    /** Secrets Manager secret holding the key ring JSON (deployed stacks). Neither is set only in the generate role. */
    keysSecretArn?: string;
    defaultTtlSeconds: number;
    maxTtlSeconds: number;
  };
  trackers: string[];
  /** In-process LRU of generated torrents per container (bytes; 0 = off). */
  memoryCacheBytes: number;
  /** How long to skip GetObjectTorrent on a bucket whose store answered NotImplemented (ms). */
  storeSupportTtlMs: number;
  /** Largest GetObjectTorrent body accepted from a store (bytes). */
  maxStoreTorrentBytes: number;
  /** Objects larger than this are refused for generation (bytes). */
  maxGenerateBytes: number;
  /** Larger objects are built in the background (202 Accepted until done). */
  syncGenerateMaxBytes: number;
  /** The smallest fan-out segment (the plan's lower bound): sources up to it are built by one function; 0 = never fan out. */
  segmentBytes: number;
  /** The generate function (background builds, fan-out segments) where one is deployed. */
  asyncFunctionName?: string;
  /** The fan-out of builds larger than one segment (docs/FANOUT.md). */
  fanout: {
    /** The build state machine; set in the generate function in AWS, unset locally (builds fan out in this process). */
    stateMachineArn?: string;
    /** Stated ranged-read throughput of one segment function (bytes/s). */
    bytesPerSecond: number;
    /** Most segments at once. */
    maxConcurrency: number;
  };
  /** Parallel ranged GetObject reads while building a torrent. */
  readConcurrency: number;
  /** Size of each ranged read (bytes). */
  readPartBytes: number;
  /** The tracker and the web seed's view of the swarm. */
  swarm: {
    /** The peer store's DynamoDB table. Set in the tracker and seed roles (checked at init); unset elsewhere. */
    peerTable?: string;
    /** A DynamoDB-compatible server (the local runtime's); unset for AWS DynamoDB. */
    dynamoEndpoint?: string;
    /** Announce interval told to peers (s); a peer silent for two intervals is gone. */
    intervalSeconds: number;
    /** Most peers one announce returns. */
    maxPeers: number;
    /** How long the web seed keeps deferring one requester address while the swarm has seeders (s); 0 = never. */
    deferSeconds: number;
    /** Seeders the swarm needs before the web seed defers. */
    minSeeders: number;
  };
  /** Limits of folder torrents (every key under a prefix as one multi-file torrent). */
  folders: {
    maxFiles: number;
    maxBytes: number;
  };
}
