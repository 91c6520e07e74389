import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { BuildStateMachine } from '../../infra/stack/constructs/BuildStateMachine';
import { FUNCTIONS } from '../../infra/stack/constructs/ProxyFunctions';
import { createProxyFunction } from '../../infra/stack/constructs/ProxyFunction';
import { CACHE_PREFIX, Storage } from '../../infra/stack/constructs/Storage';
import { ENV } from '../../lambda/config';
import { FANOUT_ACTIONS } from '../../lambda/fanout/fanoutEvents';

const ENV_US = { account: '123456789012', region: 'us-east-1' };

/** A stack of the construct and what it needs: the cache bucket (Storage) and the generate function as the stack builds it. */
const synth = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Fanout', { env: ENV_US });
  const storage = new Storage(stack, { cacheExpirationDays: 90 });
  const generate = createProxyFunction(stack, 'generate', FUNCTIONS.generate, {
    description: 'fan-out segments and joins',
    functionName: 'Fanout-generate',
    environment: {
      [ENV.FUNCTION_ROLE]: 'generate',
      [ENV.SERVED_BUCKETS]: JSON.stringify([{ name: 'media', expectedOwner: ENV_US.account }]),
      [ENV.CACHE_BUCKET]: storage.cacheBucket.bucketName,
      // What the starter is told, by name: a reference to the state machine (which references the function) would be a cycle.
      BUILD_STATE_MACHINE_ARN: BuildStateMachine.arnFor(stack, 'Fanout-build'),
    },
  });
  const machine = new BuildStateMachine(stack, 'Builds', {
    segmentFunction: generate.fn,
    cacheBucket: storage.cacheBucket,
    cachePrefix: CACHE_PREFIX,
    stateMachineName: 'Fanout-build',
  });
  machine.grantStartExecution(generate.fn);
  return { app, stack, machine, template: Template.fromStack(stack), generateId: stack.getLogicalId(generate.fn.node.defaultChild as never) };
};

// biome-ignore lint/suspicious/noExplicitAny: the state machine definition as Step Functions reads it
type Asl = Record<string, any>;

/** The definition string with its CloudFormation references rendered as `<Logical.Attr>`. */
const definition = (template: Template): Asl => {
  const [sm] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const body = sm.Properties.DefinitionString;
  const parts = (body['Fn::Join'] ? body['Fn::Join'][1] : [body]) as unknown[];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const o = p as Asl;
      if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
      if (o.Ref) return `<${o.Ref}>`;
      return JSON.stringify(p);
    })
    .join('');
  return JSON.parse(text);
};

describe('BuildStateMachine', () => {
  const { template, generateId } = synth();
  const asl = definition(template);
  const map = asl.States.HashSegments;
  const segment = map.ItemProcessor.States.HashSegment;

  test('starts with a Distributed Map over $.segments, at most the model cap at once, with Standard children and no tolerated failures (the default)', () => {
    expect(asl.StartAt).toBe('HashSegments');
    expect({
      Type: map.Type,
      ItemsPath: map.ItemsPath,
      MaxConcurrency: map.MaxConcurrency,
      ToleratedFailurePercentage: map.ToleratedFailurePercentage,
      ToleratedFailureCount: map.ToleratedFailureCount,
      ResultPath: map.ResultPath,
      Next: map.Next,
      ItemProcessor: { ProcessorConfig: map.ItemProcessor.ProcessorConfig, StartAt: map.ItemProcessor.StartAt },
    }).toEqual({
      Type: 'Map',
      ItemsPath: '$.segments',
      MaxConcurrency: 100,
      ToleratedFailurePercentage: undefined,
      ToleratedFailureCount: undefined,
      ResultPath: null,
      Next: 'Join',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'HashSegment' },
    });
    expect(map.ItemSelector).toEqual({
      action: FANOUT_ACTIONS.segment,
      'build.$': '$.build',
      'source.$': '$.source',
      'pieceLength.$': '$.pieceLength',
      'segment.$': '$$.Map.Item.Value',
    });
  });

  test('hashes each segment with one invocation of the function (the answer only), timed out after its timeout plus a minute', () => {
    expect(segment).toMatchObject({ Type: 'Task', Resource: `<${generateId}.Arn>`, TimeoutSeconds: 960, End: true });
    expect(segment.Parameters).toBeUndefined(); // the item selector's object is the payload
  });

  test('retries service exceptions, throttles (backoff, full jitter) and a timed-out segment once, and nothing else', () => {
    expect(segment.Retry).toEqual([
      {
        ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
      },
      { ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 5, MaxAttempts: 8, BackoffRate: 2, MaxDelaySeconds: 120, JitterStrategy: 'FULL' },
      { ErrorEquals: ['States.Timeout', 'Sandbox.Timedout'], IntervalSeconds: 30, MaxAttempts: 1, BackoffRate: 2, JitterStrategy: 'FULL' },
    ]);
  });

  test('joins after the map with the build and every segment, keeping the result beside the input', () => {
    expect(asl.States.Join).toMatchObject({
      Type: 'Task',
      Resource: `<${generateId}.Arn>`,
      TimeoutSeconds: 960,
      ResultPath: '$.torrent',
      End: true,
      Parameters: { action: FANOUT_ACTIONS.join, 'build.$': '$.build', 'source.$': '$.source', 'pieceLength.$': '$.pieceLength', 'segments.$': '$.segments' },
    });
    expect(asl.States.Join.Retry.map((r: Asl) => r.ErrorEquals[0])).toEqual(['Lambda.ClientExecutionTimeoutException', 'Lambda.TooManyRequestsException']);
  });

  test('catches any failure of the map or the join into the failed step, which marks the build failed and fails the execution', () => {
    const catchAll = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }];
    expect(map.Catch).toEqual(catchAll);
    expect(asl.States.Join.Catch).toEqual(catchAll);
    expect(asl.States.MarkFailed).toMatchObject({
      Type: 'Task',
      Resource: `<${generateId}.Arn>`,
      Parameters: { action: FANOUT_ACTIONS.failed, 'build.$': '$.build', 'segments.$': '$.segments', 'error.$': '$.error' },
      ResultPath: null,
      Next: 'BuildFailed',
    });
    expect(asl.States.BuildFailed).toEqual({ Type: 'Fail', Error: 'FanoutBuildFailed', CausePath: '$.error.Cause' });
  });

  test('stops any execution after 4 hours, traces with X-Ray and logs every state to its own log group without payloads', () => {
    expect(asl.TimeoutSeconds).toBe(4 * 3600);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'Fanout-build',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildsLogs'), 'Arn'] } } }],
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/Fanout-build', RetentionInDays: 30 });
  });

  test('grants the function segment objects only and the starter StartExecution on the state machine by name', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const segments = statements.filter((s) => s.Sid === 'FanoutSegments');
    expect(segments.map((s) => [s.Action, JSON.stringify(s.Resource)])).toEqual([
      [
        ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        expect.stringMatching(/^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["CacheBucket\w+","Arn"\]\},"\/torrents\/segments\/\*"\]\]\}$/),
      ],
    ]);
    expect(statements.filter((s) => s.Sid === 'StartBuild')).toEqual([
      {
        Sid: 'StartBuild',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: 'arn:aws:states:us-east-1:123456789012:stateMachine:Fanout-build',
      },
    ]);
  });

  test('has no dependency cycle, with the starter told the state machine by name', () => {
    // Template.fromStack refuses a template with cyclic dependencies; a reference instead of the name would be one.
    expect(() => synth()).not.toThrow();
  });

  test('sizes its task timeout from the segment timeout it is given', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Short', { env: ENV_US });
    const storage = new Storage(stack, { cacheExpirationDays: 1 });
    const fn = createProxyFunction(
      stack,
      'generate',
      { ...FUNCTIONS.generate, timeout: Duration.minutes(5) },
      {
        description: 'short',
        environment: { [ENV.FUNCTION_ROLE]: 'generate', [ENV.SERVED_BUCKETS]: JSON.stringify([{ name: 'media', expectedOwner: ENV_US.account }]) },
      },
    );
    new BuildStateMachine(stack, 'Builds', {
      segmentFunction: fn.fn,
      segmentTimeout: Duration.minutes(5),
      cacheBucket: storage.cacheBucket,
      cachePrefix: CACHE_PREFIX,
      stateMachineName: 'short',
      maxConcurrency: 7,
    });
    const d = definition(Template.fromStack(stack));
    expect([d.States.HashSegments.ItemProcessor.States.HashSegment.TimeoutSeconds, d.States.HashSegments.MaxConcurrency]).toEqual([360, 7]);
  });
});

describe('BuildStateMachine under cdk-nag', () => {
  const violations = (app: App) =>
    [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' }))),
    );

  test('finds nothing unacknowledged in the AwsSolutions and Serverless packs (SF1 logging, SF2 X-Ray among them)', () => {
    const { app } = synth();
    app.synth();
    expect(violations(app)).toEqual([]);
  });

  test('acknowledges only findings that the packs actually report, each with a reason', () => {
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: unknown, ...rules) {
      const scope = (this as { scope: IConstruct }).scope;
      acknowledged.push(...rules.map((r) => ({ path: scope.node.path, id: r.id, reason: r.reason })));
    });
    try {
      const { app } = synth();
      app.synth();
      const findings = violations(app);
      const mine = acknowledged.filter((a) => a.path.startsWith('Fanout/Builds') || a.id.includes('segments/*'));
      // Logical ids as ID, so the list reads as what is acknowledged.
      expect(mine.map((a) => a.id.replace(/[A-Z][A-Za-z0-9]*[0-9A-F]{8}/g, 'ID')).sort()).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::<ID.Arn>/torrents/segments/*]',
        'AwsSolutions-IAM5[Resource::<ID.Arn>:*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:us-east-1:123456789012:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"ID"}]}]}/Segments:*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:us-east-1:123456789012:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"ID"}]}]}:*]',
      ]);
      const stale = mine.filter((a) => !findings.some((f) => f.id === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))));
      expect(stale).toEqual([]);
      for (const a of mine) expect([a.id, a.reason.length >= 40]).toEqual([a.id, true]);
    } finally {
      spy.mockRestore();
    }
  });
});
