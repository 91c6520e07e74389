import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DEFAULTS, ENV as VAR, SEED_MODES } from '../../lambda/config';
import { TorrentProxyStack, type TorrentProxyStackProps } from '../../infra/stack/TorrentProxyStack';

const ACCOUNT = '123456789012';
const ENV = { account: ACCOUNT, region: 'us-east-1' };

const SERVED = [
  {
    name: 'public-datasets',
    expectedOwner: '111122223333',
    requesterPays: false,
    prefix: '',
    source: 'auto' as const,
    swarm: 'private' as const,
    seeding: 'fallback' as const,
  },
  {
    name: 'partner-exports',
    expectedOwner: '444455556666',
    requesterPays: true,
    prefix: 'shared/',
    source: 'generate' as const,
    swarm: 'public' as const,
    seeding: 'always' as const,
  },
];

/** A fresh app whose NodejsFunctions skip bundling (synth ~0.5 s instead of ~2 s each). */
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

const synth = (settings: TorrentProxyStackProps['settings'] = { servedBuckets: SERVED }) => {
  const stack = new TorrentProxyStack(newApp(), 'Proxy', { env: ENV, settings });
  return { stack, template: Template.fromStack(stack) };
};

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template fragments of any shape
type Cfn = Record<string, any>;

/** Renders Fn::Join / Ref / Fn::GetAtt as one readable string: `<Ref:X>`, `<X.Arn>`. */
const flat = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const o = v as Cfn;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(flat).join(o['Fn::Join'][0]);
  if (o.Ref) return `<Ref:${o.Ref}>`;
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(v);
};

const logicalIdOf = (template: Template, type: string, props: Cfn): string => {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0];
};

const functionId = (template: Template, handler: string) => logicalIdOf(template, 'AWS::Lambda::Function', { Handler: `index.${handler}` });

interface Route {
  verb: string;
  path: string;
  auth: string;
  integration: Cfn;
  props: Cfn;
}

const routes = (template: Template): Route[] => {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const pathOf = (ref: Cfn): string => {
    if (!ref.Ref) return '';
    const r = resources[ref.Ref].Properties;
    return `${pathOf(r.ParentId)}/${r.PathPart}`;
  };
  return Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => ({
    verb: m.Properties.HttpMethod,
    path: pathOf(m.Properties.ResourceId),
    auth: m.Properties.AuthorizationType,
    integration: m.Properties.Integration,
    props: m.Properties,
  }));
};

/** The routes that reach a Lambda function (the CORS preflights are MOCK integrations: test/infra/cors.test.ts). */
const lambdaRoutes = (template: Template): Route[] => routes(template).filter((r) => r.integration.Type === 'AWS_PROXY');

/** Every statement of the identity policies attached to a function's role. */
const statementsOf = (template: Template, fnId: string): Cfn[] => {
  const fn = template.toJSON().Resources[fnId];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Cfn[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Cfn[]);
};

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Statements that grant S3 actions, with resources rendered as strings. */
const s3Grants = (statements: Cfn[]) =>
  statements
    .filter((s) => asList<string>(s.Action).some((a) => a.startsWith('s3:')))
    .map((s) => ({ actions: asList<string>(s.Action).sort(), resources: asList(s.Resource).map(flat), condition: s.Condition }));

describe('TorrentProxyStack', () => {
  const { stack, template } = synth();
  const torrentFn = functionId(template, 'torrentHandler');
  const seedFn = functionId(template, 'seedHandler');
  const mintFn = functionId(template, 'mintHandler');
  const generateFn = functionId(template, 'generateHandler');
  const trackerFn = functionId(template, 'trackerHandler');
  const generateArn = 'arn:aws:lambda:us-east-1:123456789012:function:Proxy-generate';
  const cacheBucketId = logicalIdOf(template, 'AWS::S3::Bucket', {
    LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'torrents/' })]) },
  });
  const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
  const tableId = logicalIdOf(template, 'AWS::DynamoDB::Table', {});

  describe('API routes', () => {
    it('exposes exactly ANY torrent, ANY seed (the Lambda answers 405 to all but GET/HEAD), their OPTIONS preflights, POST links, ANY tracker announce and scrape, and GET swarm', () => {
      expect(
        routes(template)
          .map((r) => `${r.verb} ${r.path}`)
          .sort(),
      ).toEqual([
        'ANY /announce/{token}',
        'ANY /scrape/{token}',
        'ANY /seed/{token}/{bucket}/{key+}',
        'ANY /torrent/{bucket}/{key+}',
        'GET /swarm/{infoHash}',
        'OPTIONS /seed/{token}/{bucket}/{key+}',
        'OPTIONS /torrent/{bucket}/{key+}',
        'POST /links',
      ]);
      expect(
        routes(template)
          .filter((r) => r.integration.Type !== 'AWS_PROXY')
          .map((r) => [r.verb, r.integration.Type]),
      ).toEqual([
        ['OPTIONS', 'MOCK'],
        ['OPTIONS', 'MOCK'],
      ]);
    });

    it('answers API Gateway refusals as JSON { code, message }, unknown routes with 404', () => {
      const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => ({
        type: r.Properties.ResponseType,
        status: r.Properties.StatusCode,
        template: r.Properties.ResponseTemplates['application/json'],
      }));
      expect(responses.sort((a, b) => a.type.localeCompare(b.type))).toEqual([
        { type: 'DEFAULT_4XX', status: undefined, template: '{"code":"$context.error.responseType","message":$context.error.messageString}' },
        { type: 'DEFAULT_5XX', status: undefined, template: '{"code":"$context.error.responseType","message":$context.error.messageString}' },
        { type: 'MISSING_AUTHENTICATION_TOKEN', status: '404', template: expect.stringContaining('"code":"NotFound"') },
      ]);
    });

    it.each([
      ['/torrent/{bucket}/{key+}', () => torrentFn],
      ['/seed/{token}/{bucket}/{key+}', () => seedFn],
    ])('streams %s from its function through response-streaming-invocations', (path, fnId) => {
      const matching = lambdaRoutes(template).filter((r) => r.path === path);
      expect(matching).toHaveLength(1);
      for (const { integration } of matching) {
        expect(integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', ResponseTransferMode: 'STREAM', TimeoutInMillis: 900_000 });
        expect(flat(integration.Uri)).toBe(
          `arn:<Ref:AWS::Partition>:apigateway:us-east-1:lambda:path/2021-11-15/functions/<${fnId()}.Arn>/response-streaming-invocations`,
        );
      }
    });

    it('invokes the mint function through a standard (buffered) proxy integration', () => {
      const [links] = routes(template).filter((r) => r.path === '/links');
      expect(links.integration.ResponseTransferMode).toBeUndefined();
      expect(flat(links.integration.Uri)).toContain(`/2015-03-31/functions/<${mintFn}.Arn>/invocations`);
    });

    it('requires AWS_IAM authorization on POST /links and GET /swarm (owner-only swarm stats) and on no other route', () => {
      const byAuth = routes(template).map((r) => [`${r.verb} ${r.path}`, r.auth]);
      expect(byAuth.filter(([, auth]) => auth === 'AWS_IAM').sort()).toEqual([
        ['GET /swarm/{infoHash}', 'AWS_IAM'],
        ['POST /links', 'AWS_IAM'],
      ]);
      expect(byAuth.filter(([, auth]) => auth !== 'AWS_IAM').every(([, auth]) => auth === 'NONE')).toBe(true);
    });

    it('leaves the tracker routes public: the token in the path is their authorization', () => {
      const tracker = routes(template).filter((r) => r.path.startsWith('/announce/') || r.path.startsWith('/scrape/'));
      expect(tracker.map((r) => [r.verb, r.path, r.auth])).toEqual([
        ['ANY', '/announce/{token}', 'NONE'],
        ['ANY', '/scrape/{token}', 'NONE'],
      ]);
    });

    it.each(['/announce/{token}', '/scrape/{token}', '/swarm/{infoHash}'])(
      'invokes the tracker function for %s through a standard (buffered) proxy integration',
      (path) => {
        const matching = routes(template).filter((r) => r.path === path);
        expect(matching).toHaveLength(1);
        const [{ integration }] = matching;
        expect(integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
        expect(integration.ResponseTransferMode).toBeUndefined();
        expect(integration.TimeoutInMillis).toBeUndefined();
        expect(flat(integration.Uri)).toBe(`arn:<Ref:AWS::Partition>:apigateway:us-east-1:lambda:path/2015-03-31/functions/<${trackerFn}.Arn>/invocations`);
      },
    );

    it('routes to the tracker function only the tracker and swarm routes', () => {
      const toTracker = lambdaRoutes(template)
        .filter((r) => flat(r.integration.Uri).includes(`<${trackerFn}.Arn>`))
        .map((r) => `${r.verb} ${r.path}`)
        .sort();
      expect(toTracker).toEqual(['ANY /announce/{token}', 'ANY /scrape/{token}', 'GET /swarm/{infoHash}']);
    });

    it('validates that GET /swarm carries its info-hash', () => {
      const [swarm] = routes(template).filter((r) => r.path === '/swarm/{infoHash}');
      expect(swarm.props.RequestParameters).toEqual({ 'method.request.path.infoHash': true });
      expect(swarm.props.RequestValidatorId).toEqual({ Ref: expect.any(String) });
    });

    it('treats every media type as binary, so the base64 bencoded tracker answers reach clients as bytes', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
    });

    it('validates that every public route carries its path parameters', () => {
      const validator = logicalIdOf(template, 'AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true, ValidateRequestBody: true });
      for (const r of routes(template).filter((x) => x.auth === 'NONE')) {
        expect(r.props.RequestValidatorId).toEqual({ Ref: validator });
        const names = [...r.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => `method.request.path.${m[1]}`);
        expect(r.props.RequestParameters).toEqual(Object.fromEntries(names.map((n) => [n, true])));
      }
    });

    it('grants API Gateway invoke permission per method, never for test invokes, and never on the generate function', () => {
      const perms = Object.values(template.findResources('AWS::Lambda::Permission'));
      expect(perms).toHaveLength(6);
      const trackerMethods = perms
        .filter((p) => p.Properties.FunctionName['Fn::GetAtt']?.[0] === trackerFn)
        .map((p) => flat(p.Properties.SourceArn).replace(/^.*\/<Ref:ApiDeploymentStageprod\w+>\//, ''))
        .sort();
      expect(trackerMethods).toEqual(['*/announce/*', '*/scrape/*', 'GET/swarm/*']);
      for (const p of perms) {
        expect(flat(p.Properties.SourceArn)).not.toContain('/test-invoke-stage/');
        expect(p.Properties.FunctionName).not.toEqual({ 'Fn::GetAtt': [generateFn, 'Arn'] });
      }
    });

    it('routes nothing to the generate function', () => {
      for (const r of lambdaRoutes(template)) expect(flat(r.integration.Uri)).not.toContain(`<${generateFn}.Arn>`);
    });

    it('uses a Regional endpoint (5-minute stream idle timeout instead of 30 s at the edge)', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    });
  });

  describe('prod stage', () => {
    it('throttles, traces, records metrics and logs errors without request bodies', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'prod',
        TracingEnabled: true,
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: 50,
            ThrottlingBurstLimit: 100,
            MetricsEnabled: true,
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          },
        ],
      });
    });

    it('writes JSON access logs to a log group with one-month retention and never logs the raw path', () => {
      const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0].Properties;
      const logGroupId = stage.AccessLogSetting.DestinationArn['Fn::GetAtt'][0];
      template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 } });
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
      const format = JSON.parse(stage.AccessLogSetting.Format);
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', resourcePath: '$context.resourcePath' });
      expect(stage.AccessLogSetting.Format).not.toContain('$context.path');
    });

    it('takes throttling limits from settings', () => {
      const { template: t } = synth({ servedBuckets: SERVED, throttlingRateLimit: 7, throttlingBurstLimit: 9 });
      t.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 })],
      });
    });
  });

  describe('functions', () => {
    it.each([
      ['torrentHandler', 1769, 900],
      ['seedHandler', 512, 900],
      ['mintHandler', 1024, 28],
      ['generateHandler', 3538, 900],
      ['trackerHandler', 512, 10],
    ])('runs %s on Node.js 24, arm64, %i MB, %i s, active tracing, JSON logs kept a month', (handler, memory, timeout) => {
      const fn = template.toJSON().Resources[functionId(template, handler)].Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: memory,
        Timeout: timeout,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      const logGroup = template.toJSON().Resources[fn.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Properties.RetentionInDays).toBe(30);
      expect(fn.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    });

    it('gives every function the served buckets and link TTLs, and every one but generate the link key secret', () => {
      for (const id of [torrentFn, seedFn, mintFn, generateFn, trackerFn]) {
        const env = template.toJSON().Resources[id].Properties.Environment.Variables;
        expect(JSON.parse(env.SERVED_BUCKETS)).toEqual(SERVED);
        expect(env).toMatchObject({
          LINK_DEFAULT_TTL_SECONDS: '604800',
          LINK_MAX_TTL_SECONDS: '2592000',
          SEED_MODE: 'redirect',
          LOG_LEVEL: 'info',
        });
        expect(env.LINK_KEYS_SECRET_ARN).toEqual(id === generateFn ? undefined : { Ref: secretId });
        expect(env.PUBLIC_BASE_URL).toBeUndefined();
        expect(env.TRACKERS).toBeUndefined();
      }
    });

    it('gives the generate function, which neither signs nor verifies links, no link keys: no secret ARN and no inline keys', () => {
      const env = template.toJSON().Resources[generateFn].Properties.Environment.Variables;
      expect(env).toMatchObject({ FUNCTION_ROLE: 'generate' });
      expect(env.LINK_KEYS_SECRET_ARN).toBeUndefined();
      expect(env.LINK_KEYS).toBeUndefined();
    });

    it.each([
      ['torrent', () => torrentFn],
      ['seed', () => seedFn],
      ['mint', () => mintFn],
      ['generate', () => generateFn],
      ['tracker', () => trackerFn],
    ])('tells the %s function its role, so its config check at cold start is the one it needs', (role, fnId) => {
      expect(template.toJSON().Resources[fnId()].Properties.Environment.Variables.FUNCTION_ROLE).toBe(role);
    });

    it('sets only variables that lambda/config reads, besides NODE_OPTIONS and the log level', () => {
      const known = new Set<string>([...Object.values(VAR), 'NODE_OPTIONS', 'LOG_LEVEL']);
      for (const id of [torrentFn, seedFn, mintFn, generateFn, trackerFn]) {
        expect(Object.keys(template.toJSON().Resources[id].Properties.Environment.Variables).filter((name) => !known.has(name))).toEqual([]);
      }
    });

    it('writes the Lambda defaults of lambda/config where it sets a value the settings leave open', () => {
      const env = template.toJSON().Resources[torrentFn].Properties.Environment.Variables;
      expect(env).toMatchObject({
        [VAR.LINK_DEFAULT_TTL_SECONDS]: String(DEFAULTS.linkDefaultTtlSeconds),
        [VAR.LINK_MAX_TTL_SECONDS]: String(DEFAULTS.linkMaxTtlSeconds),
        [VAR.SEED_MODE]: DEFAULTS.seedMode,
        [VAR.CACHE_PREFIX]: DEFAULTS.cachePrefix,
      });
    });

    it.each(SEED_MODES)('passes seedMode %s through as SEED_MODE', (seedMode) => {
      const { template: t } = synth({ servedBuckets: SERVED, seedMode });
      expect(t.toJSON().Resources[functionId(t, 'seedHandler')].Properties.Environment.Variables.SEED_MODE).toBe(seedMode);
    });

    it.each([
      ['torrent', () => torrentFn],
      ['mint', () => mintFn],
      ['generate', () => generateFn],
    ])('points the %s function at the cache bucket and at the generate function for background builds', (_name, fnId) => {
      const env = template.toJSON().Resources[fnId()].Properties.Environment.Variables;
      expect(env).toMatchObject({
        CACHE_BUCKET: { Ref: cacheBucketId },
        CACHE_PREFIX: 'torrents/',
        CACHE_BUCKET_OWNER: ACCOUNT,
        ASYNC_FUNCTION_NAME: 'Proxy-generate',
      });
      // Unset: the Lambda's defaults (1 GiB, 64 GiB) apply.
      expect(env.SYNC_GENERATE_MAX_BYTES).toBeUndefined();
      expect(env.SEGMENT_BYTES).toBeUndefined();
    });

    it.each([
      ['seed', () => seedFn],
      ['tracker', () => trackerFn],
    ])('gives the %s function no cache and no background builds', (_name, fnId) => {
      const env = template.toJSON().Resources[fnId()].Properties.Environment.Variables;
      expect(env.CACHE_BUCKET).toBeUndefined();
      expect(env.ASYNC_FUNCTION_NAME).toBeUndefined();
    });

    it('points the tracker and seed functions, and no other, at the peer table', () => {
      const withTable = [torrentFn, seedFn, mintFn, generateFn, trackerFn].filter(
        (id) => template.toJSON().Resources[id].Properties.Environment.Variables.PEER_TABLE !== undefined,
      );
      expect(withTable).toEqual([seedFn, trackerFn]);
      for (const id of withTable) expect(template.toJSON().Resources[id].Properties.Environment.Variables.PEER_TABLE).toEqual({ Ref: tableId });
    });

    it('leaves the swarm settings to the Lambda defaults when unset, and never sets DYNAMODB_ENDPOINT', () => {
      for (const id of [torrentFn, seedFn, mintFn, generateFn, trackerFn]) {
        const env = template.toJSON().Resources[id].Properties.Environment.Variables;
        for (const name of [VAR.TRACKER_INTERVAL_SECONDS, VAR.TRACKER_MAX_PEERS, VAR.SEED_DEFER_SECONDS, VAR.SEED_DEFER_MIN_SEEDERS, VAR.DYNAMODB_ENDPOINT]) {
          expect([name, env[name]]).toEqual([name, undefined]);
        }
      }
    });

    it('passes the swarm settings through to the tracker and seed functions when set, seedDeferSeconds 0 included', () => {
      const { template: t } = synth({ servedBuckets: SERVED, trackerIntervalSeconds: 120, trackerMaxPeers: 80, seedDeferSeconds: 0, seedDeferMinSeeders: 3 });
      const envOf = (handler: string) => t.toJSON().Resources[functionId(t, handler)].Properties.Environment.Variables;
      for (const handler of ['trackerHandler', 'seedHandler']) {
        expect(envOf(handler)).toMatchObject({
          TRACKER_INTERVAL_SECONDS: '120',
          TRACKER_MAX_PEERS: '80',
          SEED_DEFER_SECONDS: '0',
          SEED_DEFER_MIN_SEEDERS: '3',
        });
      }
      expect(envOf('torrentHandler').TRACKER_INTERVAL_SECONDS).toBeUndefined();
    });

    it('names the generate function after the stack and runs its async invocations once, for at most an hour', () => {
      const resources = template.toJSON().Resources;
      expect(resources[generateFn].Properties.FunctionName).toBe('Proxy-generate');
      expect(resources[torrentFn].Properties.FunctionName).toBe('Proxy-torrent');
      const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).map((c) => c.Properties);
      expect(configs).toEqual([{ FunctionName: { Ref: generateFn }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 }]);
    });

    it('passes syncGenerateMaxBytes through when set, and segmentBytes to the generate function (the only one that plans fan-outs)', () => {
      const { template: t } = synth({ servedBuckets: SERVED, syncGenerateMaxBytes: 2 * 1024 ** 3, segmentBytes: 8 * 1024 ** 3 });
      const envs = ['torrentHandler', 'mintHandler', 'generateHandler'].map(
        (handler) => t.toJSON().Resources[functionId(t, handler)].Properties.Environment.Variables,
      );
      expect(envs.map((env) => [env.SYNC_GENERATE_MAX_BYTES, env.SEGMENT_BYTES])).toEqual([
        [String(2 * 1024 ** 3), undefined],
        [String(2 * 1024 ** 3), undefined],
        [String(2 * 1024 ** 3), String(8 * 1024 ** 3)],
      ]);
    });

    it('tells the generate function alone the build state machine by name and the fan-out model, always written', () => {
      const envOf = (handler: string) => template.toJSON().Resources[functionId(template, handler)].Properties.Environment.Variables;
      for (const handler of ['torrentHandler', 'seedHandler', 'mintHandler', 'trackerHandler']) {
        const env = envOf(handler);
        expect([env.BUILD_STATE_MACHINE_ARN, env.FANOUT_BYTES_PER_SECOND, env.FANOUT_MAX_CONCURRENCY]).toEqual([undefined, undefined, undefined]);
      }
      expect(envOf('generateHandler')).toMatchObject({
        BUILD_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:Proxy-build',
        FANOUT_BYTES_PER_SECOND: '75000000',
        FANOUT_MAX_CONCURRENCY: '100',
      });
    });

    it('gives the plan and the state machine one concurrency, from fanoutMaxConcurrency', () => {
      const { template: t } = synth({ servedBuckets: SERVED, fanoutMaxConcurrency: 40, fanoutBytesPerSecond: 50e6 });
      const env = t.toJSON().Resources[functionId(t, 'generateHandler')].Properties.Environment.Variables;
      const [machine] = Object.values(t.findResources('AWS::StepFunctions::StateMachine'));
      expect({ env: [env.FANOUT_MAX_CONCURRENCY, env.FANOUT_BYTES_PER_SECOND], map: JSON.stringify(machine.Properties.DefinitionString) }).toEqual({
        env: ['40', '50000000'],
        map: expect.stringContaining('\\"MaxConcurrency\\":40'),
      });
    });

    it('refuses a segmentBytes above the longest segment fanoutBytesPerSecond allows in 900 s / 3', () => {
      expect(() => synth({ servedBuckets: SERVED, segmentBytes: 32 * 1024 ** 3 })).toThrow(/SEGMENT_BYTES must not exceed 22500000000/);
      expect(() => synth({ servedBuckets: SERVED, segmentBytes: 32 * 1024 ** 3, fanoutBytesPerSecond: 150e6 })).not.toThrow();
    });

    it('passes trackers through as a comma list', () => {
      const { template: t } = synth({ servedBuckets: SERVED, trackers: ['udp://tracker.example:6969/announce', 'https://t.example/announce'] });
      const env = t.toJSON().Resources[functionId(t, 'torrentHandler')].Properties.Environment.Variables;
      expect(env.TRACKERS).toBe('udp://tracker.example:6969/announce,https://t.example/announce');
    });
  });

  describe('IAM', () => {
    const served = (actions: string[]) => [
      {
        actions: [...actions].sort(),
        resources: ['arn:aws:s3:::public-datasets/*'],
        condition: { StringEquals: { 's3:ResourceAccount': '111122223333' } },
      },
      {
        actions: [...actions].sort(),
        resources: ['arn:aws:s3:::partner-exports/shared/*'],
        condition: { StringEquals: { 's3:ResourceAccount': '444455556666' } },
      },
    ];

    const segmentObjects = {
      actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      resources: [`<${cacheBucketId}.Arn>/torrents/segments/*`],
      condition: undefined,
    };

    it.each([
      ['torrent', () => torrentFn, []],
      ['mint (magnet links need the info-hash)', () => mintFn, []],
      ['generate (and delete fan-out segment objects)', () => generateFn, [segmentObjects]],
    ])('lets the %s function read served objects and their torrents, and read/write only the cache prefix', (_name, fnId, extra) => {
      expect(s3Grants(statementsOf(template, fnId()))).toEqual([
        ...served(['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTorrent']),
        { actions: ['s3:GetObject', 's3:PutObject'], resources: [`<${cacheBucketId}.Arn>/torrents/*`], condition: undefined },
        { actions: ['s3:ListBucket'], resources: [`<${cacheBucketId}.Arn>`], condition: { StringLike: { 's3:prefix': 'torrents/*' } } },
        ...extra,
      ]);
    });

    it('lets the seed function read served objects only', () => {
      expect(s3Grants(statementsOf(template, seedFn))).toEqual(served(['s3:GetObject', 's3:GetObjectVersion']));
    });

    it('gives the tracker function no S3 access at all', () => {
      expect(s3Grants(statementsOf(template, trackerFn))).toEqual([]);
    });

    const dynamoStatements = (id: string) => statementsOf(template, id).filter((s) => asList<string>(s.Action).some((a) => a.startsWith('dynamodb:')));

    it('lets the tracker function get, put, update, delete and query items of the peer table, and nothing else in DynamoDB', () => {
      expect(dynamoStatements(trackerFn)).toEqual([
        {
          Sid: 'PeerTable',
          Effect: 'Allow',
          Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        },
      ]);
    });

    it('lets the seed function query the swarm and put or update its markers and counters, and nothing else in DynamoDB', () => {
      expect(dynamoStatements(seedFn)).toEqual([
        {
          Sid: 'PeerTable',
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        },
      ]);
    });

    it('gives the torrent, mint and generate functions no DynamoDB access', () => {
      for (const id of [torrentFn, mintFn, generateFn]) expect(dynamoStatements(id)).toEqual([]);
    });

    it('grants exactly the tracker function its logs, X-Ray, the key ring and the peer table', () => {
      const logGroupId = template.toJSON().Resources[trackerFn].Properties.LoggingConfig.LogGroup.Ref;
      const statements = statementsOf(template, trackerFn).map((s) => ({ actions: asList<string>(s.Action).sort(), resources: asList(s.Resource).map(flat) }));
      expect(statements).toEqual([
        { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`<${logGroupId}.Arn>`] },
        { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] },
        { actions: ['secretsmanager:GetSecretValue'], resources: [`<Ref:${secretId}>`] },
        {
          actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          resources: [`<${tableId}.Arn>`],
        },
      ]);
    });

    it('never grants dynamodb:*, Scan, batch calls or table management anywhere in the template', () => {
      const actions = Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Cfn[])
        .flatMap((st) => asList<string>(st.Action))
        .filter((a) => a.startsWith('dynamodb:'));
      expect([...new Set(actions)].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    });

    it("gives the generate function exactly the torrent function's S3 grants, and the fan-out's segment objects", () => {
      expect(s3Grants(statementsOf(template, generateFn))).toEqual([...s3Grants(statementsOf(template, torrentFn)), segmentObjects]);
    });

    const secretStatements = (id: string) => statementsOf(template, id).filter((s) => asList<string>(s.Action).some((a) => a.startsWith('secretsmanager:')));

    it('lets the torrent, seed, mint and tracker functions read the link key secret and nothing else from Secrets Manager', () => {
      for (const id of [torrentFn, seedFn, mintFn, trackerFn]) {
        expect(secretStatements(id)).toEqual([{ Sid: 'LinkKeys', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } }]);
      }
    });

    it('gives the generate function no Secrets Manager access (it neither signs nor verifies links)', () => {
      expect(secretStatements(generateFn)).toEqual([]);
    });

    it('grants Secrets Manager access only to the functions whose role uses link keys', () => {
      const withSecret = [torrentFn, seedFn, mintFn, generateFn, trackerFn].filter((id) => secretStatements(id).length > 0);
      expect(withSecret).toEqual([torrentFn, seedFn, mintFn, trackerFn]);
    });

    it('lets the torrent and mint functions and the build state machine invoke the generate function, and nothing else invoke anything', () => {
      const invokes = (id: string) => statementsOf(template, id).filter((s) => asList<string>(s.Action).some((a) => a.startsWith('lambda:')));
      for (const id of [torrentFn, mintFn]) {
        expect(invokes(id)).toEqual([{ Sid: 'InvokeGenerate', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: generateArn }]);
      }
      // The generate function waits on no function: it starts the state machine instead.
      expect(invokes(generateFn)).toEqual([]);
      expect(invokes(seedFn)).toEqual([]);
      expect(invokes(trackerFn)).toEqual([]);
      const everyLambdaStatement = Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Cfn[])
        .filter((s) => asList<string>(s.Action).some((a) => a.startsWith('lambda:')));
      expect(everyLambdaStatement.map((st) => asList(st.Resource).map(flat))).toEqual([
        [generateArn],
        [generateArn],
        [`<${generateFn}.Arn>`, `<${generateFn}.Arn>:*`],
      ]);
    });

    it('lets the generate function, and no other function, start executions of the build state machine by its name, and nothing else in Step Functions', () => {
      const states = (id: string) => statementsOf(template, id).filter((st) => asList<string>(st.Action).some((a) => a.startsWith('states:')));
      expect([torrentFn, seedFn, mintFn, generateFn, trackerFn].map(states)).toEqual([
        [],
        [],
        [],
        [{ Sid: 'StartBuild', Effect: 'Allow', Action: 'states:StartExecution', Resource: 'arn:aws:states:us-east-1:123456789012:stateMachine:Proxy-build' }],
        [],
      ]);
    });

    it('attaches no managed policies to the function roles', () => {
      for (const id of [torrentFn, seedFn, mintFn, generateFn, trackerFn]) {
        const roleId = template.toJSON().Resources[id].Properties.Role['Fn::GetAtt'][0];
        expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('never grants s3:* or an S3 action on Resource "*" anywhere in the template', () => {
      const all: Cfn[] = [
        ...Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement),
        ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement),
        ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
          asList<Cfn>(r.Properties.Policies).flatMap((p) => p.PolicyDocument.Statement),
        ),
      ];
      expect(all.length).toBeGreaterThan(0);
      for (const s of all) {
        const actions = asList<string>(s.Action);
        expect(actions).not.toContain('*');
        expect(actions).not.toContain('s3:*');
        if (asList(s.Resource).includes('*')) expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
      }
    });
  });

  describe('storage', () => {
    it('keeps the cache bucket private, encrypted, TLS-only, expiring and access-logged', () => {
      const bucket = template.toJSON().Resources[cacheBucketId];
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ Prefix: 'torrents/', ExpirationInDays: 90, Status: 'Enabled' })] },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.any(String) }, LogFilePrefix: 'cache-bucket/' },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: cacheBucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('lets only S3 log delivery for the cache bucket write into the access-log bucket', () => {
      const logsBucketId = template.toJSON().Resources[cacheBucketId].Properties.LoggingConfiguration.DestinationBucketName.Ref;
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logsBucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [cacheBucketId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
            }),
          ]),
        },
      });
    });

    it('keeps the peer table on demand, keyed by swarm (h) and item (s), expiring items by their ttl attribute', () => {
      const table = template.toJSON().Resources[tableId];
      expect(table.Properties).toEqual({
        KeySchema: [
          { AttributeName: 'h', KeyType: 'HASH' },
          { AttributeName: 's', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'h', AttributeType: 'S' },
          { AttributeName: 's', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: false },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      });
    });

    it('deletes the peer table with the stack (peers are ephemeral) and encrypts it with the AWS-owned key', () => {
      const table = template.toJSON().Resources[tableId];
      expect([table.DeletionPolicy, table.UpdateReplacePolicy]).toEqual(['Delete', 'Delete']);
      // SSEEnabled false: encrypted at rest with the key DynamoDB owns (no KMS key, no KMS calls).
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
      expect(table.Properties.PointInTimeRecoverySpecification).toBeUndefined();
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
    });

    it('generates the link key ring as {"active":"k1","k1":<64 random alphanumerics>}', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: {
          SecretStringTemplate: '{"active":"k1"}',
          GenerateStringKey: 'k1',
          ExcludePunctuation: true,
          PasswordLength: 64,
        },
      });
    });
  });

  describe('alarms and outputs', () => {
    it('alarms on the API 5XX rate and on each function’s errors and throttles, without a topic by default', () => {
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
      expect(alarms.map((a) => a.MetricName).sort()).toEqual([
        '5XXError',
        'Errors',
        'Errors',
        'Errors',
        'Errors',
        'Errors',
        'ExecutionsFailed',
        'ExecutionsTimedOut',
        'ReadThrottleEvents',
        'Throttles',
        'Throttles',
        'Throttles',
        'Throttles',
        'Throttles',
        'WriteThrottleEvents',
      ]);
      const functionsAlarmed = alarms.filter((a) => a.Namespace === 'AWS/Lambda').map((a) => a.Dimensions[0].Value.Ref);
      for (const id of [torrentFn, seedFn, mintFn, generateFn, trackerFn]) expect(functionsAlarmed.filter((f) => f === id)).toHaveLength(2);
      expect(alarms.find((a) => a.MetricName === '5XXError')).toMatchObject({ Namespace: 'AWS/ApiGateway', Statistic: 'Average', Threshold: 0.05 });
      expect(alarms.every((a) => a.AlarmActions === undefined)).toBe(true);
      template.resourceCountIs('AWS::SNS::Topic', 0);
    });

    it('sends every alarm to an email topic when alarmEmail is set', () => {
      const { template: t } = synth({ servedBuckets: SERVED, alarmEmail: 'ops@example.com' });
      const topicId = logicalIdOf(t, 'AWS::SNS::Topic', {});
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
      const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(15);
      for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    });

    it('alarms on any throttled read or write of the peer table in five minutes', () => {
      const tableAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .map((a) => a.Properties)
        .filter((a) => a.Namespace === 'AWS/DynamoDB');
      expect(
        tableAlarms.map(({ MetricName, Dimensions, Statistic, Period, Threshold, ComparisonOperator, TreatMissingData }) => ({
          MetricName,
          Dimensions,
          Statistic,
          Period,
          Threshold,
          ComparisonOperator,
          TreatMissingData,
        })),
      ).toEqual(
        ['ReadThrottleEvents', 'WriteThrottleEvents'].map((MetricName) => ({
          MetricName,
          Dimensions: [{ Name: 'TableName', Value: { Ref: tableId } }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        })),
      );
    });

    it('outputs the tracker URL template, the swarm-stats invoke ARN and the peer table name', () => {
      const outputs = template.toJSON().Outputs;
      expect(flat(outputs.TrackerUrlTemplate.Value)).toMatch(/\/<Ref:ApiDeploymentStageprod\w+>\/announce\/\{token\}$/);
      expect(flat(outputs.SwarmInvokeArn.Value)).toMatch(/^arn:<Ref:AWS::Partition>:execute-api:us-east-1:123456789012:<Ref:Api\w+>\/prod\/GET\/swarm\/\*$/);
      expect(outputs.PeerTableName.Value).toEqual({ Ref: tableId });
    });

    it('outputs the API URL, a torrent URL template, the mint URL, the cache bucket and the secret ARN', () => {
      const outputs = template.toJSON().Outputs;
      expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'TorrentUrlTemplate', 'MintUrl', 'CacheBucketName', 'LinkKeysSecretArn']));
      expect(flat(outputs.TorrentUrlTemplate.Value)).toMatch(
        /^https:\/\/<Ref:Api\w+>\.execute-api\.us-east-1\.<Ref:AWS::URLSuffix>\/<Ref:ApiDeploymentStageprod\w+>\/torrent\/\{bucket\}\/\{key\}\?/,
      );
      expect(flat(outputs.MintUrl.Value)).toMatch(/\/<Ref:ApiDeploymentStageprod\w+>\/links$/);
      expect(outputs.CacheBucketName.Value).toEqual({ Ref: cacheBucketId });
      expect(outputs.LinkKeysSecretArn.Value).toEqual({ Ref: secretId });
    });
  });

  describe('settings', () => {
    it('serves a placeholder bucket owned by the stack account, with a warning, when none is configured', () => {
      const { stack: s, template: t } = synth({});
      const env = t.toJSON().Resources[functionId(t, 'torrentHandler')].Properties.Environment.Variables;
      expect(JSON.parse(env.SERVED_BUCKETS)).toEqual([
        { name: 'example-bucket', expectedOwner: ACCOUNT, requesterPays: false, prefix: '', source: 'auto', swarm: 'private', seeding: 'fallback' },
      ]);
      Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('No servedBuckets configured'));
    });

    it('defaults expectedOwner to the stack account', () => {
      const { template: t } = synth({ servedBuckets: [{ name: 'own-bucket' }] });
      const env = t.toJSON().Resources[functionId(t, 'seedHandler')].Properties.Environment.Variables;
      expect(JSON.parse(env.SERVED_BUCKETS)[0]).toMatchObject({ name: 'own-bucket', expectedOwner: ACCOUNT });
    });

    it.each([
      [{ servedBuckets: [{ name: 'Not_A_Bucket' }] }, /servedBuckets.*SERVED_BUCKETS\[0\]\.name/],
      [{ servedBuckets: [{ name: 'ok-bucket', prefix: 'a*b/' }] }, /prefix.*IAM wildcards/],
      [{ servedBuckets: [{ name: 'ok-bucket', expectedOwner: '42' }] }, /expectedOwner/],
      [{ servedBuckets: SERVED, linkDefaultTtlSeconds: 99, linkMaxTtlSeconds: 10 }, /LINK_DEFAULT_TTL_SECONDS/],
      [{ servedBuckets: SERVED, trackers: ['ftp://nope'] }, /TRACKERS/],
      [{ servedBuckets: SERVED, segmentBytes: 6 * 1024 ** 4 }, /SEGMENT_BYTES must be between/],
      [{ servedBuckets: SERVED, fanoutMaxConcurrency: 10_001 }, /FANOUT_MAX_CONCURRENCY must be between 1 and 10000/],
      [{ servedBuckets: SERVED, fanoutBytesPerSecond: 999 }, /FANOUT_BYTES_PER_SECOND must be between 1000 and 10000000000/],
      [{ servedBuckets: [{ name: 'ok-bucket', swarm: 'open' }] }, /SERVED_BUCKETS\[0\]\.swarm must be "private" or "public"/],
      [{ servedBuckets: [{ name: 'ok-bucket', seeding: 'never' }] }, /SERVED_BUCKETS\[0\]\.seeding must be "fallback" or "always"/],
      [{ servedBuckets: SERVED, trackerIntervalSeconds: 4 }, /TRACKER_INTERVAL_SECONDS must be between 5 and 3600/],
      [{ servedBuckets: SERVED, trackerMaxPeers: 201 }, /TRACKER_MAX_PEERS must be between 1 and 200/],
      [{ servedBuckets: SERVED, seedDeferSeconds: 601 }, /SEED_DEFER_SECONDS must be between 0 and 600/],
      [{ servedBuckets: SERVED, seedDeferMinSeeders: 0 }, /SEED_DEFER_MIN_SEEDERS must be between 1 and 1000/],
    ])('refuses to synthesize an invalid configuration (%j)', (settings, message) => {
      expect(() => synth(settings as TorrentProxyStackProps['settings'])).toThrow(message);
    });

    it('exposes the stack for other constructs', () => {
      expect(stack).toBeInstanceOf(Stack);
      expect(stack.servedBuckets.map((b) => b.name)).toEqual(['public-datasets', 'partner-exports']);
    });
  });
});

describe('cdk-nag', () => {
  const nagged = (settings: TorrentProxyStackProps['settings']) => {
    const app = newApp();
    const stack = new TorrentProxyStack(app, 'Proxy', { env: ENV, settings });
    return { app, stack };
  };

  it.each([
    ['without alarm email', { servedBuckets: SERVED }],
    ['with alarm email', { servedBuckets: SERVED, alarmEmail: 'ops@example.com' }],
    ['with the placeholder bucket and no API Gateway account role', { apiGatewayCloudWatchRole: false }],
  ])('finds nothing unacknowledged in the AwsSolutions and Serverless packs (%s)', (_, settings) => {
    const { app } = nagged(settings);
    app.synth();
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    );
    expect(violations).toEqual([]);
  });

  it('lets an app with both packs registered synthesize', () => {
    const { app } = nagged({ servedBuckets: SERVED, alarmEmail: 'ops@example.com' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges only findings that the packs actually report', () => {
    const acknowledged: { path: string; id: string }[] = [];
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: unknown, ...rules) {
      const scope = (this as { scope: IConstruct }).scope;
      acknowledged.push(...rules.map((r) => ({ path: scope.node.path, id: r.id })));
    });
    try {
      const { app } = nagged({ servedBuckets: SERVED, alarmEmail: 'ops@example.com' });
      app.synth();
      const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
        pack.validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' }))),
      );
      const stale = acknowledged.filter((a) => !findings.some((f) => f.id === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))));
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(stale).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('gives every acknowledgement a reason', () => {
    const { app } = nagged({ servedBuckets: SERVED, alarmEmail: 'ops@example.com' });
    const acks: [string, string][] = [];
    const walk = (c: IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) acks.push(...Object.entries(m.data as Record<string, string>));
      }
      c.node.children.forEach(walk);
    };
    walk(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect([id, reason.length >= 40]).toEqual([id, true]);
  });
});
