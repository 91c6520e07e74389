/**
 * The deployed proxy: API Gateway (REST, response streaming) in front of three
 * Lambda functions built from lambda/handler.ts, a fourth (generate) that only
 * our own functions invoke for background builds and fan-out segments, a cache
 * bucket for generated torrents, the share-link key ring in Secrets Manager,
 * and alarms.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct, IConstruct } from 'constructs';
import { ConfigError, loadConfig, parseBucketPolicies, type BucketPolicy } from '../../lambda/config';
import { SettingsError, type ProxySettings } from '../config';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const HANDLER_ENTRY = join(PROJECT_ROOT, 'lambda', 'handler.ts');

export const RUNTIME = lambda.Runtime.NODEJS_24_X;
export const STAGE_NAME = 'prod';
export const CACHE_PREFIX = 'torrents/';
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
export const EXAMPLE_BUCKET = 'example-bucket';

/** Defaults for every optional setting (the Lambda's own defaults where it has one). */
export const DEFAULTS = {
  linkDefaultTtlSeconds: 7 * 86400,
  linkMaxTtlSeconds: 30 * 86400,
  seedMode: 'redirect',
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  cacheExpirationDays: 90,
  apiGatewayCloudWatchRole: true,
} as const;

/** Size and time budget of each function; see docs/DEPLOY.md for the reasoning. */
export const FUNCTIONS = {
  torrent: { handler: 'torrentHandler', memorySize: 1769, timeout: Duration.minutes(15) },
  seed: { handler: 'seedHandler', memorySize: 512, timeout: Duration.minutes(15) },
  // Minting with `magnet: true` reads (or builds) the torrent to learn its info-hash, within API Gateway's 29 s.
  mint: { handler: 'mintHandler', memorySize: 1024, timeout: Duration.seconds(28) },
  // Background builds and fan-out segments: 3538 MB is 2 vCPUs, and hashing runs one worker thread per core.
  generate: { handler: 'generateHandler', memorySize: 3538, timeout: Duration.minutes(15) },
} as const;

/**
 * Ranged-read throughput assumed per 2-vCPU generate function (bytes/s): an estimate to verify in the
 * target region, not a measurement. A segment must hash within the 15-minute timeout at this rate.
 */
export const ASSUMED_SEGMENT_BYTES_PER_SECOND = 250e6;
export const MAX_SAFE_SEGMENT_BYTES = ASSUMED_SEGMENT_BYTES_PER_SECOND * FUNCTIONS.generate.timeout.toSeconds(); // 225 GB

export type TorrentProxyStackProps = StackProps & {
  settings?: Omit<ProxySettings, 'account' | 'region' | 'stackName'>;
};

/** API Gateway access log line. `$context.path` is left out on purpose: seed paths carry link tokens. */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigw.AccessLogField.contextRequestId(),
    requestTime: apigw.AccessLogField.contextRequestTime(),
    ip: apigw.AccessLogField.contextIdentitySourceIp(),
    userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
    caller: apigw.AccessLogField.contextIdentityCaller(),
    user: apigw.AccessLogField.contextIdentityUser(),
    httpMethod: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    protocol: apigw.AccessLogField.contextProtocol(),
    status: apigw.AccessLogField.contextStatus(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    responseLatency: apigw.AccessLogField.contextResponseLatency(),
    integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
    integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
    errorMessage: apigw.AccessLogField.contextErrorMessage(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);

const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

interface ProxyFunction {
  fn: NodejsFunction;
  role: iam.Role;
}

export class TorrentProxyStack extends Stack {
  readonly api: apigw.RestApi;
  readonly cacheBucket: s3.Bucket;
  readonly linkKeys: secretsmanager.Secret;
  readonly servedBuckets: BucketPolicy[];
  readonly functions: Record<keyof typeof FUNCTIONS, NodejsFunction>;

  constructor(scope: Construct, id: string, props: TorrentProxyStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? {};
    this.servedBuckets = this.resolveServedBuckets(settings);
    const partition = this.literalPartition();

    // ---- storage: link keys, cache bucket and its access-log bucket
    this.linkKeys = new secretsmanager.Secret(this, 'LinkKeys', {
      description: 'Share-link signing key ring for s3-torrent-proxy: {"active":"<key id>","<key id>":"<secret>",...}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ active: 'k1' }),
        generateStringKey: 'k1',
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    acknowledge(
      this.linkKeys,
      'AwsSolutions-SMG4',
      'The key ring is rotated by hand without breaking live links: add a new key id, point "active" at it, and delete the old id once its links have expired (docs/DEPLOY.md). A rotation Lambda would have to replace keys outright and invalidate every link.',
    );

    const accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.cacheBucket = new s3.Bucket(this, 'CacheBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-cached-torrents',
          prefix: CACHE_PREFIX,
          expiration: Duration.days(settings.cacheExpirationDays ?? DEFAULTS.cacheExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // A cache: every object can be rebuilt, but RETAIN keeps `cdk destroy` from failing on a non-empty bucket.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logToBucket(this.cacheBucket, accessLogsBucket, 'cache-bucket/');

    // ---- functions
    const links = {
      LINK_KEYS_SECRET_ARN: this.linkKeys.secretArn,
      LINK_DEFAULT_TTL_SECONDS: String(settings.linkDefaultTtlSeconds ?? DEFAULTS.linkDefaultTtlSeconds),
      LINK_MAX_TTL_SECONDS: String(settings.linkMaxTtlSeconds ?? DEFAULTS.linkMaxTtlSeconds),
    };
    const common: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      LOG_LEVEL: 'info',
      SERVED_BUCKETS: JSON.stringify(this.servedBuckets),
      SEED_MODE: settings.seedMode ?? DEFAULTS.seedMode,
      ...links,
      ...(settings.trackers?.length ? { TRACKERS: settings.trackers.join(',') } : {}),
    };

    // Torrent, mint and generate functions hand objects above SYNC_GENERATE_MAX_BYTES to the generate
    // function (asynchronous invoke), which fans very large ones out to itself (synchronous invokes).
    // Its name is fixed so ASYNC_FUNCTION_NAME and the invoke grants need no reference to the function:
    // the generate function's own grant on itself would otherwise be a cycle.
    const generateFunctionName = `${this.stackName.slice(0, 55)}-generate`;
    const generateFunctionArn = `arn:${partition}:lambda:${this.region}:${this.account}:function:${generateFunctionName}`;
    const builds: Record<string, string> = {
      CACHE_BUCKET: this.cacheBucket.bucketName,
      CACHE_PREFIX,
      CACHE_BUCKET_OWNER: this.account,
      ASYNC_FUNCTION_NAME: generateFunctionName,
      // Unset means the Lambda's defaults (1 GiB, 64 GiB).
      ...(settings.syncGenerateMaxBytes !== undefined ? { SYNC_GENERATE_MAX_BYTES: String(settings.syncGenerateMaxBytes) } : {}),
      ...(settings.segmentBytes !== undefined ? { SEGMENT_BYTES: String(settings.segmentBytes) } : {}),
    };
    if (settings.segmentBytes !== undefined && settings.segmentBytes > MAX_SAFE_SEGMENT_BYTES) {
      Annotations.of(this).addWarningV2(
        's3-torrent-proxy:segmentBytes',
        `segmentBytes ${settings.segmentBytes} is above ${MAX_SAFE_SEGMENT_BYTES} bytes: at an assumed ${ASSUMED_SEGMENT_BYTES_PER_SECOND / 1e6} MB/s one segment would not finish within the generate function's 15 minutes (docs/DEPLOY.md).`,
      );
    }

    // The name stays fixed as before, so existing deployments keep (and do not replace) the function.
    const torrent = this.proxyFunction('Torrent', FUNCTIONS.torrent, {
      description: 'GET/HEAD /torrent/{bucket}/{key+}: forwards or builds the .torrent of an S3 object (streaming)',
      functionName: `${this.stackName.slice(0, 55)}-torrent`,
      environment: { ...common, ...builds },
    });
    const seed = this.proxyFunction('Seed', FUNCTIONS.seed, {
      description: 'GET/HEAD /seed/{token}/{bucket}/{key+}: BEP 19 web seed (redirect to a presigned URL, or proxy)',
      environment: common,
    });
    const mint = this.proxyFunction('Mint', FUNCTIONS.mint, {
      description: 'POST /links (IAM): mints share links',
      environment: { ...common, ...builds },
    });
    const generate = this.proxyFunction('Generate', FUNCTIONS.generate, {
      description: 'Invoked by the torrent, mint and generate functions only: background torrent builds and fan-out segments',
      functionName: generateFunctionName,
      // LINK_KEYS_SECRET_ARN (in common) only satisfies the shared config loader: nothing here signs or verifies links.
      environment: { ...common, ...builds },
      // Background builds are idempotent and restarted by the next request on a cache miss; a retry
      // of a build that failed (too large, timed out) would only burn another 15 minutes.
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
    });
    this.functions = { torrent: torrent.fn, seed: seed.fn, mint: mint.fn, generate: generate.fn };

    // ---- permissions: exact actions, per-bucket resources, owner pinned by s3:ResourceAccount
    this.servedBuckets.forEach((b, i) => {
      const objects = `arn:${partition}:s3:::${b.name}/${b.prefix}*`;
      const condition = { StringEquals: { 's3:ResourceAccount': b.expectedOwner } };
      // The mint function reads torrents too (`magnet: true` needs the info-hash); generate builds them.
      for (const { role } of [torrent, mint, generate]) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: `ServedBucket${i}`,
            actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTorrent'],
            resources: [objects],
            conditions: condition,
          }),
        );
      }
      seed.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: `ServedBucket${i}`, actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects], conditions: condition }),
      );
      const reason = `Object-level read of the allowlisted bucket "${b.name}"${b.prefix ? ` under the prefix "${b.prefix}"` : ''}: the object is named by each request, so the key part must be a wildcard.`;
      const finding = `AwsSolutions-IAM5[Resource::${objects}]`;
      acknowledge(torrent.role, finding, reason);
      acknowledge(seed.role, finding, reason);
      acknowledge(mint.role, finding, reason);
      acknowledge(generate.role, finding, reason);
    });

    // Cache entries and the background builds' progress markers (`${CACHE_PREFIX}pending/...json`).
    const cacheObjects = this.cacheBucket.arnForObjects(`${CACHE_PREFIX}*`);
    for (const { role } of [torrent, mint, generate]) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'CacheObjects', actions: ['s3:GetObject', 's3:PutObject'], resources: [cacheObjects] }),
      );
      // Without ListBucket a cache miss answers 403 AccessDenied instead of 404 NoSuchKey.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'CacheList',
          actions: ['s3:ListBucket'],
          resources: [this.cacheBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${CACHE_PREFIX}*` } },
        }),
      );
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.cacheBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${CACHE_PREFIX}*]`,
        `Generated torrents (and background-build progress markers under "${CACHE_PREFIX}pending/") are cached under "${CACHE_PREFIX}" with keys derived from (bucket, key, version); only that prefix of the stack's own cache bucket is granted.`,
      );
    }

    // Not the generate function: it neither signs nor verifies links. Its key-ring provider is created
    // at cold start but only fetches the secret when called, which nothing in generateHandler does.
    for (const { role } of [torrent, seed, mint]) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'LinkKeys', actions: ['secretsmanager:GetSecretValue'], resources: [this.linkKeys.secretArn] }),
      );
    }
    // Torrent and mint start background builds; generate invokes itself for fan-out segments.
    for (const { role } of [torrent, mint, generate]) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'InvokeGenerate', actions: ['lambda:InvokeFunction'], resources: [generateFunctionArn] }),
      );
    }

    // ---- API
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: LOG_RETENTION });
    const apiGatewayCloudWatchRole = settings.apiGatewayCloudWatchRole ?? DEFAULTS.apiGatewayCloudWatchRole;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: this.stackName,
      description: 'Serves .torrent files and web seeds for S3 objects',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: apiGatewayCloudWatchRole,
      // The role is an account-wide setting other APIs rely on: leave it behind on stack deletion.
      cloudWatchRoleRemovalPolicy: apiGatewayCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        throttlingRateLimit: settings.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit,
        throttlingBurstLimit: settings.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Full request/response logging would write share-link signatures to CloudWatch.
        dataTraceEnabled: false,
      },
    });
    if (apiGatewayCloudWatchRole) {
      const role = this.api.node.findChild('CloudWatchRole');
      acknowledge(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        "AmazonAPIGatewayPushToCloudWatchLogs is AWS's documented policy for the account-level API Gateway logging role; it needs log-group wildcards an inline policy could not narrow.",
      );
    }
    acknowledge(
      this.api,
      'AwsSolutions-APIG3',
      'No WAF by default: every public request is authorized by a signed link checked in Lambda and the stage is throttled. Associate a WAFv2 web ACL with the prod stage where a deployment needs IP or rate rules.',
    );

    const validator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: 'params-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const path = (...names: string[]) =>
      Object.fromEntries(names.map((n) => [`method.request.path.${n}`, true])) as Record<string, boolean>;
    const streaming = (fn: lambda.IFunction) =>
      new apigw.LambdaIntegration(fn, {
        responseTransferMode: apigw.ResponseTransferMode.STREAM,
        // Streaming integrations may run up to 15 minutes (a cache miss hashes before the first byte).
        timeout: Duration.minutes(15),
        allowTestInvoke: false,
      });

    const torrentResource = this.api.root.addResource('torrent').addResource('{bucket}').addResource('{key+}');
    const torrentIntegration = streaming(torrent.fn);
    const seedResource = this.api.root.addResource('seed').addResource('{token}').addResource('{bucket}').addResource('{key+}');
    const seedIntegration = streaming(seed.fn);
    const publicMethods: apigw.Method[] = [];
    // ANY, not GET and HEAD: other methods reach the Lambda, which answers 405 with an Allow
    // header and a JSON body, instead of API Gateway's 403 "Missing Authentication Token".
    for (const verb of ['ANY']) {
      publicMethods.push(
        torrentResource.addMethod(verb, torrentIntegration, {
          authorizationType: apigw.AuthorizationType.NONE,
          requestValidator: validator,
          requestParameters: path('bucket', 'key'),
        }),
        seedResource.addMethod(verb, seedIntegration, {
          authorizationType: apigw.AuthorizationType.NONE,
          requestValidator: validator,
          requestParameters: path('token', 'bucket', 'key'),
        }),
      );
    }
    for (const method of publicMethods) {
      const why =
        'Public by design: downloaders have no AWS identity. The Lambda verifies the signed share link (HMAC, expiry, bucket/key scope) before touching S3.';
      acknowledge(method, 'AwsSolutions-APIG4', why);
      acknowledge(method, 'AwsSolutions-COG4', why);
    }
    // API Gateway's own refusals (unknown route, throttling, oversized request) in the same
    // { code, message } JSON shape as the Lambda's errors.
    const gatewayJson = { 'application/json': '{"code":"$context.error.responseType","message":$context.error.messageString}' };
    this.api.addGatewayResponse('Default4xx', { type: apigw.ResponseType.DEFAULT_4XX, templates: gatewayJson });
    this.api.addGatewayResponse('Default5xx', { type: apigw.ResponseType.DEFAULT_5XX, templates: gatewayJson });
    this.api.addGatewayResponse('UnknownRoute', { type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, statusCode: '404', templates: {
      'application/json': '{"code":"NotFound","message":"No such route. Use GET /torrent/<bucket>/<key> with a share link."}',
    } });
    const mintMethod = this.api.root.addResource('links').addMethod('POST', new apigw.LambdaIntegration(mint.fn, { allowTestInvoke: false }), {
      authorizationType: apigw.AuthorizationType.IAM,
      requestValidator: validator,
    });
    acknowledge(
      mintMethod,
      'AwsSolutions-COG4',
      'Link minting is for AWS principals of the deploying account and uses IAM (SigV4) authorization instead of a Cognito user pool.',
    );

    // ---- alarms
    const topic = settings.alarmEmail ? new sns.Topic(this, 'AlarmTopic', { displayName: `${this.stackName} alarms`, enforceSSL: true }) : undefined;
    if (topic && settings.alarmEmail) {
      topic.addSubscription(new EmailSubscription(settings.alarmEmail));
      acknowledge(
        topic,
        'Serverless-SNSRedrivePolicy',
        'Email subscription for alarm notifications; an undelivered email leaves the alarm visible in CloudWatch, so no dead-letter queue.',
      );
    }
    const alarms: cloudwatch.Alarm[] = [
      new cloudwatch.Alarm(this, 'Api5xxRate', {
        alarmDescription: 'More than 5% of API requests answered 5XX',
        metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.AVERAGE }),
        threshold: 0.05,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const [name, fn] of [['Torrent', torrent.fn], ['Seed', seed.fn], ['Mint', mint.fn], ['Generate', generate.fn]] as const) {
      // Any error or throttle in five minutes alarms.
      const anyIn5Min = (id: string, what: string, metric: cloudwatch.IMetric) =>
        new cloudwatch.Alarm(this, id, {
          alarmDescription: `${name} function: ${what}`,
          metric,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      const sum5Min = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
      alarms.push(
        anyIn5Min(`${name}Errors`, 'unhandled errors', fn.metricErrors(sum5Min)),
        anyIn5Min(`${name}Throttles`, 'throttled invocations', fn.metricThrottles(sum5Min)),
      );
    }
    if (topic) for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(topic));

    // ---- outputs
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
    new CfnOutput(this, 'CacheBucketName', { value: this.cacheBucket.bucketName });
    new CfnOutput(this, 'LinkKeysSecretArn', { value: this.linkKeys.secretArn });
  }

  /** Validates served buckets with the Lambda's own parser so a bad entry fails here, not at cold start. */
  private resolveServedBuckets(settings: NonNullable<TorrentProxyStackProps['settings']>): BucketPolicy[] {
    const owner = Token.isUnresolved(this.account) ? undefined : this.account;
    let input = settings.servedBuckets ?? [];
    if (input.length === 0) {
      Annotations.of(this).addWarningV2(
        's3-torrent-proxy:exampleBucket',
        `No servedBuckets configured: serving the placeholder bucket "${EXAMPLE_BUCKET}". Set servedBuckets in infra/config.json or with -c servedBuckets='[{"name":"my-bucket"}]' (docs/DEPLOY.md).`,
      );
      input = [{ name: EXAMPLE_BUCKET }];
    }
    const withOwner = input.map((b) => {
      const expectedOwner = b.expectedOwner ?? owner;
      if (!expectedOwner) throw new SettingsError(`servedBuckets[${b.name}].expectedOwner`, 'is required when the stack account is not known at synth time');
      if (b.prefix && /[*?]|\$\{/.test(b.prefix)) throw new SettingsError(`servedBuckets[${b.name}].prefix`, 'must not contain "*", "?" or "${" (IAM wildcards)');
      return { ...b, expectedOwner };
    });
    try {
      return [...parseBucketPolicies(JSON.stringify(withOwner)).values()];
    } catch (e) {
      if (e instanceof ConfigError) throw new SettingsError('servedBuckets', e.message);
      throw e;
    }
  }

  /** "aws", "aws-cn", ... as a literal when the region is known, so policies read plainly. */
  private literalPartition(): string {
    if (Token.isUnresolved(this.region)) return Aws.PARTITION;
    return RegionInfo.get(this.region).partition ?? Aws.PARTITION;
  }

  /**
   * Server access logs delivered under the logging service principal (bucket policy, not ACLs),
   * written out here so the result does not depend on the serverAccessLogsUseBucketPolicy feature flag.
   */
  private logToBucket(source: s3.Bucket, target: s3.Bucket, prefix: string): void {
    (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: prefix };
    target.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [target.arnForObjects(`${prefix}*`)],
        conditions: { ArnLike: { 'aws:SourceArn': source.bucketArn }, StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
  }

  private proxyFunction(
    id: string,
    spec: (typeof FUNCTIONS)[keyof typeof FUNCTIONS],
    options: {
      description: string;
      environment: Record<string, string>;
      functionName?: string;
      retryAttempts?: number;
      maxEventAge?: Duration;
    },
  ): ProxyFunction {
    this.checkEnvironment(id, options.environment);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: LOG_RETENTION });
    // An own role without AWSLambdaBasicExecutionRole: it may write to its log group only.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${id} function of ${this.stackName}`,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, `${id}Function`, {
      entry: HANDLER_ENTRY,
      handler: spec.handler,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      description: options.description,
      functionName: options.functionName,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: options.environment,
      retryAttempts: options.retryAttempts,
      maxEventAge: options.maxEventAge,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Pinned SDK from package-lock, tree-shaken, instead of whatever version the runtime ships.
        bundleAwsSDK: true,
        externalModules: [],
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
      },
    });
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    );
    acknowledge(
      fn,
      'Serverless-LambdaDLQ',
      id === 'Generate'
        ? 'Asynchronous background builds are idempotent: a failed one leaves a "failed" marker and no cache entry, the next request restarts it, and failures count in the Errors alarm. Segment invocations are synchronous and fail back to the build.'
        : 'Invoked only synchronously by API Gateway: failures go back to the caller, so a dead-letter queue would never receive anything.',
    );
    if (options.retryAttempts !== undefined) {
      acknowledge(
        fn.node.findChild('EventInvokeConfig'),
        'Serverless-LambdaAsyncFailureDestination',
        'Background builds need no failure destination: a failed build leaves no cache entry, the next request starts a new one, and the Errors alarm reports it.',
      );
    }
    return { fn, role };
  }

  /** Runs the Lambda's own config parser over the environment so a bad deployment fails at synth. */
  private checkEnvironment(id: string, environment: Record<string, string>): void {
    try {
      loadConfig({ ...environment, AWS_REGION: Token.isUnresolved(this.region) ? 'us-east-1' : this.region });
    } catch (e) {
      if (e instanceof ConfigError) throw new SettingsError(`${id} function environment`, e.message);
      throw e;
    }
  }
}
