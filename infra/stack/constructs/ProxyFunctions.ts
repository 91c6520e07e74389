/**
 * The four Lambda functions and what each may do: three behind the API
 * (torrent, seed, mint) and generate, which only the others invoke for
 * background builds and fan-out segments. Environments and grants follow
 * from two facts per function: whether it obtains torrents, and whether it
 * signs or verifies share links (lambda/config's LINK_KEY_ROLES).
 */
import { Annotations, Duration, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { DEFAULTS, ENV, FUNCTION_ROLES, needsLinkKeys, type BucketPolicy, type FunctionRole } from '../../../lambda/config';
import type { ProxySettings } from '../../settings';
import { acknowledge } from '../conventions';
import { createProxyFunction, type FunctionSpec, type ProxyFunction } from './ProxyFunction';
import { CACHE_PREFIX, type Storage } from './Storage';

/** Each function's budget, and whether it obtains torrents (store or build: GetObjectTorrent, the cache, background builds). */
export const FUNCTIONS = {
  torrent: { handler: 'torrentHandler', memorySize: 1769, timeout: Duration.minutes(15), buildsTorrents: true },
  seed: { handler: 'seedHandler', memorySize: 512, timeout: Duration.minutes(15), buildsTorrents: false },
  // Minting with `magnet: true` reads (or builds) the torrent to learn its info-hash, within API Gateway's 29 s.
  mint: { handler: 'mintHandler', memorySize: 1024, timeout: Duration.seconds(28), buildsTorrents: true },
  // Background builds and fan-out segments: 3538 MB is 2 vCPUs, and hashing runs one worker thread per core.
  generate: { handler: 'generateHandler', memorySize: 3538, timeout: Duration.minutes(15), buildsTorrents: true },
} as const satisfies Record<FunctionRole, FunctionSpec & { buildsTorrents: boolean }>;

/**
 * Ranged-read throughput assumed per 2-vCPU generate function (bytes/s): an estimate to verify in the
 * target region, not a measurement. A segment must hash within the 15-minute timeout at this rate.
 */
export const ASSUMED_SEGMENT_BYTES_PER_SECOND = 250e6;
export const MAX_SAFE_SEGMENT_BYTES = ASSUMED_SEGMENT_BYTES_PER_SECOND * FUNCTIONS.generate.timeout.toSeconds(); // 225 GB

export interface ProxyFunctionsProps {
  settings: Pick<ProxySettings, 'seedMode' | 'linkDefaultTtlSeconds' | 'linkMaxTtlSeconds' | 'trackers' | 'syncGenerateMaxBytes' | 'segmentBytes'>;
  servedBuckets: BucketPolicy[];
  storage: Storage;
  /** "aws", "aws-cn", ... */
  partition: string;
}

export class ProxyFunctions {
  readonly byRole: Record<FunctionRole, ProxyFunction>;

  constructor(stack: Stack, { settings, servedBuckets, storage, partition }: ProxyFunctionsProps) {
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

    // Torrent, mint and generate functions hand objects above SYNC_GENERATE_MAX_BYTES to the generate
    // function (asynchronous invoke), which fans very large ones out to itself (synchronous invokes).
    // Its name is fixed so ASYNC_FUNCTION_NAME and the invoke grants need no reference to the function:
    // the generate function's own grant on itself would otherwise be a cycle.
    const generateFunctionName = `${stack.stackName.slice(0, 55)}-generate`;
    const generateFunctionArn = `arn:${partition}:lambda:${stack.region}:${stack.account}:function:${generateFunctionName}`;
    const builds: Record<string, string> = {
      [ENV.CACHE_BUCKET]: storage.cacheBucket.bucketName,
      [ENV.CACHE_PREFIX]: CACHE_PREFIX,
      [ENV.CACHE_BUCKET_OWNER]: stack.account,
      [ENV.ASYNC_FUNCTION_NAME]: generateFunctionName,
      // Unset means the Lambda's defaults.
      ...(settings.syncGenerateMaxBytes !== undefined ? { [ENV.SYNC_GENERATE_MAX_BYTES]: String(settings.syncGenerateMaxBytes) } : {}),
      ...(settings.segmentBytes !== undefined ? { [ENV.SEGMENT_BYTES]: String(settings.segmentBytes) } : {}),
    };
    if (settings.segmentBytes !== undefined && settings.segmentBytes > MAX_SAFE_SEGMENT_BYTES) {
      Annotations.of(stack).addWarningV2(
        's3-torrent-proxy:segmentBytes',
        `segmentBytes ${settings.segmentBytes} is above ${MAX_SAFE_SEGMENT_BYTES} bytes: at an assumed ${ASSUMED_SEGMENT_BYTES_PER_SECOND / 1e6} MB/s one segment would not finish within the generate function's 15 minutes (docs/DEPLOY.md).`,
      );
    }
    const environment = (role: FunctionRole): Record<string, string> => ({
      [ENV.FUNCTION_ROLE]: role,
      ...common,
      ...(needsLinkKeys(role) ? linkKeys : {}),
      ...(FUNCTIONS[role].buildsTorrents ? builds : {}),
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
        description: 'Invoked by the torrent, mint and generate functions only: background torrent builds and fan-out segments',
        functionName: generateFunctionName,
        environment: environment('generate'),
        // Background builds are idempotent and restarted by the next request on a cache miss; a retry
        // of a build that failed (too large, timed out) would only burn another 15 minutes.
        retryAttempts: 0,
        maxEventAge: Duration.hours(1),
      }),
    };
    const all = FUNCTION_ROLES.map((role) => this.byRole[role]);
    const builders = FUNCTION_ROLES.filter((role) => FUNCTIONS[role].buildsTorrents).map((role) => this.byRole[role]);

    // Exact actions, per-bucket resources, owner pinned by s3:ResourceAccount.
    servedBuckets.forEach((b, i) => {
      const objects = `arn:${partition}:s3:::${b.name}/${b.prefix}*`;
      const condition = { StringEquals: { 's3:ResourceAccount': b.expectedOwner } };
      for (const role of FUNCTION_ROLES) {
        // The mint function reads torrents too (`magnet: true` needs the info-hash); generate builds them.
        const actions = FUNCTIONS[role].buildsTorrents
          ? ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTorrent']
          : ['s3:GetObject', 's3:GetObjectVersion'];
        this.byRole[role].role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: `ServedBucket${i}`, actions, resources: [objects], conditions: condition }));
      }
      const reason = `Object-level read of the allowlisted bucket "${b.name}"${b.prefix ? ` under the prefix "${b.prefix}"` : ''}: the object is named by each request, so the key part must be a wildcard.`;
      for (const { role } of all) acknowledge(role, `AwsSolutions-IAM5[Resource::${objects}]`, reason);
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
    // Torrent and mint start background builds; generate invokes itself for fan-out segments.
    for (const { role } of builders) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'InvokeGenerate', actions: ['lambda:InvokeFunction'], resources: [generateFunctionArn] }));
    }
  }
}
