/**
 * The deployed proxy: API Gateway (REST, response streaming for torrents and
 * web seeds) in front of four Lambda functions built from lambda/handler.ts, a
 * fifth (generate) that only our own functions invoke for background builds,
 * the build state machine (Step Functions) that fans very large builds out to
 * the generate function segment by segment, a cache bucket for generated
 * torrents, the share-link key ring in Secrets Manager, the tracker's peer
 * table in DynamoDB, alarms and a dashboard. Its parts live in constructs/; each creates its resources
 * in this stack's scope, so the logical IDs (and so the deployed resources)
 * are those the stack had before it was split.
 */
import { Aws, CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { DEFAULTS, FUNCTION_ROLES, type BucketPolicy, type FunctionRole } from '../../lambda/config';
import { SETTINGS_DEFAULTS, type ProxySettings } from '../settings';
import { Alarms } from './constructs/Alarms';
import { Api, STAGE_NAME } from './constructs/Api';
import { BuildStateMachine } from './constructs/BuildStateMachine';
import { Dashboard } from './constructs/Dashboard';
import { PreBuild, prebuildBuckets } from './constructs/PreBuild';
import { ProxyFunctions } from './constructs/ProxyFunctions';
import { CACHE_PREFIX, Storage } from './constructs/Storage';
import { resolveServedBuckets } from './resolveServedBuckets';

export type TorrentProxyStackProps = StackProps & {
  settings?: Omit<ProxySettings, 'account' | 'region' | 'stackName'>;
};

export class TorrentProxyStack extends Stack {
  readonly api: apigw.RestApi;
  readonly cacheBucket: s3.Bucket;
  readonly linkKeys: secretsmanager.Secret;
  readonly peerTable: dynamodb.Table;
  readonly servedBuckets: BucketPolicy[];
  readonly functions: Record<FunctionRole, NodejsFunction>;
  readonly buildStateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: TorrentProxyStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? {};
    this.servedBuckets = resolveServedBuckets(this, settings.servedBuckets);

    const storage = new Storage(this, { cacheExpirationDays: settings.cacheExpirationDays ?? SETTINGS_DEFAULTS.cacheExpirationDays });
    this.linkKeys = storage.linkKeys;
    this.cacheBucket = storage.cacheBucket;
    this.peerTable = storage.peerTable;

    // Fixed, so the generate function is told it (and granted StartExecution on it) by name: a reference would
    // be a cycle, since the state machine references the generate function.
    const buildStateMachineName = `${this.stackName.slice(0, 55)}-build`;
    // One value for the plan (FANOUT_MAX_CONCURRENCY) and the Map's MaxConcurrency.
    const fanoutMaxConcurrency = settings.fanoutMaxConcurrency ?? DEFAULTS.fanoutMaxConcurrency;
    const { byRole } = new ProxyFunctions(this, {
      settings,
      servedBuckets: this.servedBuckets,
      storage,
      partition: this.literalPartition(),
      buildStateMachineArn: BuildStateMachine.arnFor(this, buildStateMachineName),
      fanoutMaxConcurrency,
    });
    this.functions = {
      torrent: byRole.torrent.fn,
      seed: byRole.seed.fn,
      mint: byRole.mint.fn,
      generate: byRole.generate.fn,
      tracker: byRole.tracker.fn,
    };

    const builds = new BuildStateMachine(this, 'BuildStateMachine', {
      segmentFunction: byRole.generate.fn,
      segmentTimeout: byRole.generate.fn.timeout,
      cacheBucket: storage.cacheBucket,
      cachePrefix: CACHE_PREFIX,
      stateMachineName: buildStateMachineName,
      maxConcurrency: fanoutMaxConcurrency,
    });
    builds.grantStartExecution(byRole.generate.fn);
    this.buildStateMachine = builds.stateMachine;

    // Pre-build on upload: S3 Object Created events (EventBridge) of the buckets with `prebuild` start their builds.
    new PreBuild(this, 'PreBuild', { target: byRole.generate.fn, buckets: prebuildBuckets(this.servedBuckets) });

    this.api = new Api(this, {
      torrent: byRole.torrent.fn,
      seed: byRole.seed.fn,
      mint: byRole.mint.fn,
      tracker: byRole.tracker.fn,
      throttlingRateLimit: settings.throttlingRateLimit ?? SETTINGS_DEFAULTS.throttlingRateLimit,
      throttlingBurstLimit: settings.throttlingBurstLimit ?? SETTINGS_DEFAULTS.throttlingBurstLimit,
      cloudWatchRole: settings.apiGatewayCloudWatchRole ?? SETTINGS_DEFAULTS.apiGatewayCloudWatchRole,
    }).restApi;

    new Alarms(this, {
      api: this.api,
      functions: FUNCTION_ROLES.map((role) => byRole[role]),
      peerTable: this.peerTable,
      buildStateMachine: builds.stateMachine,
      alarmEmail: settings.alarmEmail,
    });
    const { dashboard } = new Dashboard(this, {
      api: this.api,
      functions: FUNCTION_ROLES.map((role) => byRole[role]),
      buildStateMachine: builds.stateMachine,
    });

    const base = this.api.url; // ends with "/"
    new CfnOutput(this, 'ApiUrl', { value: base, description: 'Base URL of the prod stage' });
    new CfnOutput(this, 'TorrentUrlTemplate', {
      value: `${base}torrent/{bucket}/{key}?<share-link query>`,
      description: 'Shape of a share link (mint one with POST /links or `npm run link`)',
    });
    new CfnOutput(this, 'MintUrl', { value: `${base}links`, description: 'POST here with SigV4 (IAM) credentials to mint a share link' });
    new CfnOutput(this, 'MintInvokeArn', {
      value: this.api.arnForExecuteApi('POST', '/links', STAGE_NAME),
      description: 'Grant execute-api:Invoke on this ARN to principals allowed to mint links',
    });
    new CfnOutput(this, 'TrackerUrlTemplate', {
      value: `${base}announce/{token}`,
      description: 'Shape of the announce URL the torrents carry; the token comes with the share link',
    });
    new CfnOutput(this, 'SwarmInvokeArn', {
      value: this.api.arnForExecuteApi('GET', '/swarm/*', STAGE_NAME),
      description: 'Grant execute-api:Invoke on this ARN to principals allowed to read swarm statistics (GET /swarm/{infoHash} with SigV4)',
    });
    new CfnOutput(this, 'CacheBucketName', { value: this.cacheBucket.bucketName });
    new CfnOutput(this, 'PeerTableName', { value: this.peerTable.tableName });
    new CfnOutput(this, 'BuildStateMachineArn', {
      value: builds.stateMachine.stateMachineArn,
      description: 'Step Functions state machine that fans very large torrent builds out to the generate function (docs/FANOUT.md)',
    });
    new CfnOutput(this, 'LinkKeysSecretArn', { value: this.linkKeys.secretArn });
    new CfnOutput(this, 'DashboardName', {
      value: dashboard.dashboardName,
      description: 'CloudWatch dashboard of requests, cache, builds, the swarm and the functions',
    });
  }

  /** "aws", "aws-cn", ... as a literal when the region is known, so policies read plainly. */
  private literalPartition(): string {
    if (Token.isUnresolved(this.region)) return Aws.PARTITION;
    return RegionInfo.get(this.region).partition ?? Aws.PARTITION;
  }
}
