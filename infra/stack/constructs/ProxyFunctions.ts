/**
 * The five Lambda functions and what each may do: four behind the API
 * (torrent, seed, mint, tracker) and generate, which the others invoke for
 * background builds and the build state machine for fan-out steps. Environments and grants follow
 * from four facts per function: whether it reads served objects, whether it
 * obtains torrents, whether it signs or verifies share links (lambda/config's
 * LINK_KEY_ROLES), and whether it uses the swarm's peer table (PEER_TABLE_ROLES).
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { DEFAULTS, ENV, FUNCTION_ROLES, needsLinkKeys, needsPeerTable, type BucketPolicy, type FunctionRole } from '../../../lambda/config';
import type { ProxySettings } from '../../settings';
import { acknowledge } from '../conventions';
import { createProxyFunction, type FunctionSpec, type ProxyFunction } from './ProxyFunction';
import { CACHE_PREFIX, type Storage } from './Storage';

/**
 * Each function's budget, whether it reads served objects (their bytes, or to hash them), and whether it
 * obtains torrents (store or build: GetObjectTorrent, the cache, background builds).
 */
export const FUNCTIONS = {
  torrent: { handler: 'torrentHandler', memorySize: 1769, timeout: Duration.minutes(15), readsObjects: true, buildsTorrents: true },
  seed: { handler: 'seedHandler', memorySize: 512, timeout: Duration.minutes(15), readsObjects: true, buildsTorrents: false },
  // Minting with `magnet: true` reads (or builds) the torrent to learn its info-hash, within API Gateway's 29 s.
  mint: { handler: 'mintHandler', memorySize: 1024, timeout: Duration.seconds(28), readsObjects: true, buildsTorrents: true },
  // Background builds and fan-out steps: 3538 MB is 2 vCPUs, and hashing runs one worker thread per core.
  // Its timeout is the fan-out model's (SEGMENT_TIMEOUT_SECONDS): segments are sized to finish in a third of it.
  generate: { handler: 'generateHandler', memorySize: 3538, timeout: Duration.minutes(15), readsObjects: true, buildsTorrents: true },
  // Announces, scrapes and swarm stats: a few peer-table calls each, never an S3 call; 512 MB for a quick cold start.
  tracker: { handler: 'trackerHandler', memorySize: 512, timeout: Duration.seconds(10), readsObjects: false, buildsTorrents: false },
} as const satisfies Record<FunctionRole, FunctionSpec & { readsObjects: boolean; buildsTorrents: boolean }>;

/**
 * What each role of PEER_TABLE_ROLES may do on the peer table (lambda/swarm/dynamoPeerStore.ts): exact
 * item actions, no Scan, no batch calls, no table management. A `completed` announce writes the peer and
 * the download counter in one TransactWriteItems call, which IAM authorizes through the PutItem and
 * UpdateItem of its parts: IAM has no action of that name.
 */
export const PEER_TABLE_ACTIONS = {
  // announce (PutItem, DeleteItem on `stopped`, the transaction on `completed`; Query), scrape (Query),
  // and GetItem for the owner's swarm statistics (one partition's counters item)
  tracker: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  // the swarm's view before serving (Query), deferral markers (conditional PutItem), web-seed byte counters (UpdateItem)
  seed: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
} as const satisfies Partial<Record<FunctionRole, readonly string[]>>;

export interface ProxyFunctionsProps {
  settings: Pick<
    ProxySettings,
    | 'seedMode'
    | 'linkDefaultTtlSeconds'
    | 'linkMaxTtlSeconds'
    | 'trackers'
    | 'syncGenerateMaxBytes'
    | 'segmentBytes'
    | 'fanoutBytesPerSecond'
    | 'fanoutMaxConcurrency'
    | 'trackerIntervalSeconds'
    | 'trackerMaxPeers'
    | 'seedDeferSeconds'
    | 'seedDeferMinSeeders'
  >;
  servedBuckets: BucketPolicy[];
  storage: Storage;
  /** "aws", "aws-cn", ... */
  partition: string;
  /** The build state machine the generate function starts (by ARN from its fixed name: BuildStateMachine.arnFor). */
  buildStateMachineArn: string;
  /** Most segments at once: the same value the state machine's Map gets. */
  fanoutMaxConcurrency: number;
}

export class ProxyFunctions {
  readonly byRole: Record<FunctionRole, ProxyFunction>;

  constructor(stack: Stack, { settings, servedBuckets, storage, partition, buildStateMachineArn, fanoutMaxConcurrency }: ProxyFunctionsProps) {
    const common: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      LOG_LEVEL: 'info',
      [ENV.SERVED_BUCKETS]: JSON.stringify(servedBuckets),
      [ENV.SEED_MODE]: settings.seedMode ?? DEFAULTS.seedMode,
      [ENV.LINK_DEFAULT_TTL_SECONDS]: String(settings.linkDefaultTtlSeconds ?? DEFAULTS.linkDefaultTtlSeconds),
      [ENV.LINK_MAX_TTL_SECONDS]: String(settings.linkMaxTtlSeconds ?? DEFAULTS.linkMaxTtlSeconds),
      ...(settings.trackers?.length ? { [ENV.TRACKERS]: settings.trackers.join(',') } : {}),
    };
    const linkKeys = { [ENV.LINK_KEYS_SECRET_ARN]: storage.linkKeys.secretArn };

    // Torrent and mint functions hand objects above SYNC_GENERATE_MAX_BYTES to the generate function
    // (asynchronous invoke), which hands builds of more than one segment to the build state machine.
    // Its name is fixed so ASYNC_FUNCTION_NAME and the invoke grants need no reference to the function.
    // The generate function reads ASYNC_FUNCTION_NAME too: it writes the same progress markers.
    const generateFunctionName = `${stack.stackName.slice(0, 55)}-generate`;
    const generateFunctionArn = `arn:${partition}:lambda:${stack.region}:${stack.account}:function:${generateFunctionName}`;
    const builds: Record<string, string> = {
      [ENV.CACHE_BUCKET]: storage.cacheBucket.bucketName,
      [ENV.CACHE_PREFIX]: CACHE_PREFIX,
      [ENV.CACHE_BUCKET_OWNER]: stack.account,
      [ENV.ASYNC_FUNCTION_NAME]: generateFunctionName,
      // Unset means the Lambda's defaults.
      ...(settings.syncGenerateMaxBytes !== undefined ? { [ENV.SYNC_GENERATE_MAX_BYTES]: String(settings.syncGenerateMaxBytes) } : {}),
    };
    // The fan-out: the generate function plans builds and starts the state machine. Always written, so the
    // plan and the Map's MaxConcurrency are one value; a SEGMENT_BYTES above the longest segment these allow
    // fails the synth (lambda/config checks it).
    const fanout: Record<string, string> = {
      [ENV.BUILD_STATE_MACHINE_ARN]: buildStateMachineArn,
      [ENV.FANOUT_BYTES_PER_SECOND]: String(settings.fanoutBytesPerSecond ?? DEFAULTS.fanoutBytesPerSecond),
      [ENV.FANOUT_MAX_CONCURRENCY]: String(fanoutMaxConcurrency),
      // Unset means the Lambda's default.
      ...(settings.segmentBytes !== undefined ? { [ENV.SEGMENT_BYTES]: String(settings.segmentBytes) } : {}),
    };
    // The tracker and the web seed share the swarm's settings (the peer TTL is two announce intervals for both).
    const { peerTable } = storage;
    const optional = (name: string, value: number | undefined) => (value !== undefined ? { [name]: String(value) } : {});
    const swarm: Record<string, string> = {
      [ENV.PEER_TABLE]: peerTable.tableName,
      // Unset means the Lambda's defaults.
      ...optional(ENV.TRACKER_INTERVAL_SECONDS, settings.trackerIntervalSeconds),
      ...optional(ENV.TRACKER_MAX_PEERS, settings.trackerMaxPeers),
      ...optional(ENV.SEED_DEFER_SECONDS, settings.seedDeferSeconds),
      ...optional(ENV.SEED_DEFER_MIN_SEEDERS, settings.seedDeferMinSeeders),
    };
    const environment = (role: FunctionRole): Record<string, string> => ({
      [ENV.FUNCTION_ROLE]: role,
      ...common,
      ...(needsLinkKeys(role) ? linkKeys : {}),
      ...(FUNCTIONS[role].buildsTorrents ? builds : {}),
      ...(needsPeerTable(role) ? swarm : {}),
      ...(role === 'generate' ? fanout : {}),
    });

    this.byRole = {
      // The name stays fixed as before, so existing deployments keep (and do not replace) the function.
      torrent: createProxyFunction(stack, 'torrent', FUNCTIONS.torrent, {
        description: 'GET/HEAD /torrent/{bucket}/{key+}: forwards or builds the .torrent of an S3 object (streaming)',
        functionName: `${stack.stackName.slice(0, 55)}-torrent`,
        environment: environment('torrent'),
      }),
      seed: createProxyFunction(stack, 'seed', FUNCTIONS.seed, {
        description: 'GET/HEAD /seed/{token}/{bucket}/{key+}: BEP 19 web seed (redirect to a presigned URL, or proxy)',
        environment: environment('seed'),
      }),
      mint: createProxyFunction(stack, 'mint', FUNCTIONS.mint, {
        description: 'POST /links (IAM): mints share links',
        environment: environment('mint'),
      }),
      generate: createProxyFunction(stack, 'generate', FUNCTIONS.generate, {
        description: 'Invoked by the torrent and mint functions (background builds) and the build state machine (fan-out segments, join)',
        functionName: generateFunctionName,
        environment: environment('generate'),
        // Background builds are idempotent and restarted by the next request on a cache miss; a retry
        // of a build that failed (too large, timed out) would only burn another 15 minutes.
        retryAttempts: 0,
        maxEventAge: Duration.hours(1),
      }),
      tracker: createProxyFunction(stack, 'tracker', FUNCTIONS.tracker, {
        description: 'ANY /announce/{token}, /scrape/{token}: BitTorrent tracker over the peer table; GET /swarm/{infoHash} (IAM): swarm statistics',
        environment: environment('tracker'),
      }),
    };
    const readers = FUNCTION_ROLES.filter((role) => FUNCTIONS[role].readsObjects);
    const builders = FUNCTION_ROLES.filter((role) => FUNCTIONS[role].buildsTorrents).map((role) => this.byRole[role]);

    // Exact actions, per-bucket resources, owner pinned by s3:ResourceAccount.
    servedBuckets.forEach((b, i) => {
      const objects = `arn:${partition}:s3:::${b.name}/${b.prefix}*`;
      const condition = { StringEquals: { 's3:ResourceAccount': b.expectedOwner } };
      const reason = `Object-level read of the allowlisted bucket "${b.name}"${b.prefix ? ` under the prefix "${b.prefix}"` : ''}: the object is named by each request, so the key part must be a wildcard.`;
      for (const role of readers) {
        // The mint function reads torrents too (`magnet: true` needs the info-hash); generate builds them.
        const actions = FUNCTIONS[role].buildsTorrents
          ? ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTorrent']
          : ['s3:GetObject', 's3:GetObjectVersion'];
        const iamRole = this.byRole[role].role;
        iamRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: `ServedBucket${i}`, actions, resources: [objects], conditions: condition }));
        acknowledge(iamRole, `AwsSolutions-IAM5[Resource::${objects}]`, reason);
      }
    });

    // Cache entries and the background builds' progress markers (`${CACHE_PREFIX}pending/...json`).
    const { cacheBucket } = storage;
    for (const { role } of builders) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'CacheObjects', actions: ['s3:GetObject', 's3:PutObject'], resources: [cacheBucket.arnForObjects(`${CACHE_PREFIX}*`)] }),
      );
      // Without ListBucket a cache miss answers 403 AccessDenied instead of 404 NoSuchKey.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'CacheList',
          actions: ['s3:ListBucket'],
          resources: [cacheBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${CACHE_PREFIX}*` } },
        }),
      );
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(cacheBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${CACHE_PREFIX}*]`,
        `Generated torrents (and background-build progress markers under "${CACHE_PREFIX}pending/") are cached under "${CACHE_PREFIX}" with keys derived from (bucket, key, version); only that prefix of the stack's own cache bucket is granted.`,
      );
    }

    // Only where links are signed or verified: the generate function gets neither this grant nor the secret's ARN.
    for (const role of FUNCTION_ROLES.filter(needsLinkKeys)) {
      this.byRole[role].role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'LinkKeys', actions: ['secretsmanager:GetSecretValue'], resources: [storage.linkKeys.secretArn] }),
      );
    }
    // The peer table, by its own ARN: it has no indexes, and no role may reach another table.
    for (const [role, actions] of Object.entries(PEER_TABLE_ACTIONS) as [FunctionRole, readonly string[]][]) {
      this.byRole[role].role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PeerTable', actions: [...actions], resources: [peerTable.tableArn] }));
    }
    // Torrent and mint start background builds; the generate function invokes no function (the state machine does).
    for (const { role } of builders.filter((b) => b !== this.byRole.generate)) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'InvokeGenerate', actions: ['lambda:InvokeFunction'], resources: [generateFunctionArn] }));
    }
  }
}
