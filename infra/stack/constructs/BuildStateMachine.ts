/**
 * The fan-out of very large builds on Step Functions: a Distributed Map
 * runs one segment-function invocation per planned segment (the plan is the
 * execution's input, made by the function that starts it), each writing its
 * digests to the cache bucket; then one join invocation builds and caches
 * the torrent. Retries and timeouts are the service's, per segment; no
 * function waits for another. Any failure runs the failed step, which
 * writes the failed progress marker, and the execution fails.
 *
 * Distributed rather than inline Map: an inline Map runs at most 40
 * iterations at once and records every iteration in the parent's history
 * (25,000 events), so a 5 TiB object (300 segments at the default model)
 * would take 8 waves instead of 3. A Distributed Map runs up to 10,000
 * child executions at once, each with its own history; MaxConcurrency is
 * the model's cap. Its children are Standard workflows because an Express
 * one stops after 5 minutes, less than one segment may take.
 */
import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { FANOUT_ACTIONS } from '../../../lambda/fanout/fanoutEvents';
import { BUILD_TIMEOUT_SECONDS, FANOUT_MODEL } from '../../../lambda/fanout/fanoutModel';
import { acknowledge, LOG_RETENTION } from '../conventions';

export interface BuildStateMachineProps {
  /** The function whose handler dispatches the three fan-out actions (the generate function, or a dedicated one). */
  segmentFunction: lambda.IFunction;
  /** Its timeout: a segment is sized to finish in a third of it. */
  segmentTimeout?: Duration;
  cacheBucket: s3.IBucket;
  /** The cache prefix the functions use; segments go under `<cachePrefix>segments/`. */
  cachePrefix: string;
  /** Fixed, so the starter's environment and grant need no reference to the state machine (which references the function). */
  stateMachineName: string;
  /** Most segments at once (the model's cap). */
  maxConcurrency?: number;
}

/** Retry rules every invocation shares: a throttled invoke waits and tries again with jitter, up to about 8 minutes in all. */
const THROTTLE_RETRY: sfn.RetryProps = {
  errors: ['Lambda.TooManyRequestsException'],
  interval: Duration.seconds(5),
  maxAttempts: 8,
  backoffRate: 2,
  maxDelay: Duration.minutes(2),
  jitterStrategy: sfn.JitterType.FULL,
};

export class BuildStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The ARN from the name alone (no reference), for environments and grants. */
  readonly stateMachineArn: string;

  /** The ARN a state machine of this name will have in `stack` (its partition a literal when the region is known, so policies read plainly). */
  static arnFor(stack: Stack, stateMachineName: string): string {
    const partition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
    return stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      ...(partition ? { partition } : {}),
    });
  }

  constructor(scope: Construct, id: string, props: BuildStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fn = props.segmentFunction;
    const segmentTimeout = props.segmentTimeout ?? Duration.seconds(FANOUT_MODEL.timeoutSeconds);
    // The function's own timeout ends a slow invocation first; the task timeout catches one whose answer never arrives.
    const taskTimeout = sfn.Timeout.duration(segmentTimeout.plus(Duration.minutes(1)));
    const build = {
      build: sfn.JsonPath.stringAt('$.build'),
      source: sfn.JsonPath.objectAt('$.source'),
      pieceLength: sfn.JsonPath.numberAt('$.pieceLength'),
    };

    const hashSegment = new tasks.LambdaInvoke(this, 'HashSegment', {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      taskTimeout,
      comment: 'Hashes one segment; its digests go to the cache bucket, the answer is only { index, pieces }',
    });
    hashSegment.addRetry(THROTTLE_RETRY);
    // A timed-out segment is tried once more (a slow host, not a slow object, is the likely cause).
    hashSegment.addRetry({
      errors: ['States.Timeout', 'Sandbox.Timedout'],
      interval: Duration.seconds(30),
      maxAttempts: 1,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });

    const segments = new sfn.DistributedMap(this, 'HashSegments', {
      itemsPath: sfn.JsonPath.stringAt('$.segments'),
      itemSelector: { action: FANOUT_ACTIONS.segment, ...build, segment: sfn.JsonPath.stringAt('$$.Map.Item.Value') },
      maxConcurrency: props.maxConcurrency ?? FANOUT_MODEL.maxConcurrency,
      // No tolerated failures (the default): one failed segment fails the Map, and the Catch runs.
      mapExecutionType: sfn.StateMachineType.STANDARD,
      // The join reads the digests from S3; the children's answers are not kept.
      resultPath: sfn.JsonPath.DISCARD,
      label: 'Segments',
    });
    segments.itemProcessor(hashSegment);

    const join = new tasks.LambdaInvoke(this, 'Join', {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({ action: FANOUT_ACTIONS.join, ...build, segments: sfn.JsonPath.listAt('$.segments') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      taskTimeout,
      resultPath: '$.torrent',
      comment: 'Checks and joins the digests, caches the torrent, marks the build done, deletes the segments',
    });
    join.addRetry(THROTTLE_RETRY);

    const failed = new tasks.LambdaInvoke(this, 'MarkFailed', {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({
        action: FANOUT_ACTIONS.failed,
        ...build,
        segments: sfn.JsonPath.listAt('$.segments'),
        error: sfn.JsonPath.objectAt('$.error'),
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
      resultPath: sfn.JsonPath.DISCARD,
      comment: 'Writes the failed progress marker and deletes the segments written',
    });
    failed.addRetry(THROTTLE_RETRY);
    failed.next(new sfn.Fail(this, 'BuildFailed', { error: 'FanoutBuildFailed', causePath: sfn.JsonPath.stringAt('$.error.Cause') }));

    segments.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
    join.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps Step Functions' log delivery out of CloudWatch Logs' resource-policy size limit.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: LOG_RETENTION,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Fan-out torrent builds: segments hashed in parallel, then joined and cached',
      definitionBody: sfn.DefinitionBody.fromChainable(segments.next(join)),
      timeout: Duration.seconds(BUILD_TIMEOUT_SECONDS),
      tracingEnabled: true,
      // Every state's transitions, without payloads: the events name buckets and keys, the logs need not.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.stateMachineArn = BuildStateMachine.arnFor(stack, props.stateMachineName);

    // Segment objects: written by the segment step, read and deleted by the join, deleted by the failed step.
    const segmentObjects = props.cacheBucket.arnForObjects(`${props.cachePrefix}segments/*`);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'FanoutSegments', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [segmentObjects] }),
    );
    if (fn.role) {
      acknowledge(
        fn.role,
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.cacheBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${props.cachePrefix}segments/*]`,
        'Segment digests are written per build under one prefix of the stack cache bucket and deleted after the join; only that prefix is granted.',
      );
    }
    this.acknowledgeServiceGrants(stack, fn);
  }

  /** Lets `grantee` start builds (the starter: StartExecution only, on this state machine's ARN by name). */
  grantStartExecution(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'StartBuild', actions: ['states:StartExecution'], resources: [this.stateMachineArn] }),
    );
  }

  /** The wildcards Step Functions' own grants need, each with its reason. */
  private acknowledgeServiceGrants(stack: Stack, fn: lambda.IFunction): void {
    const role = this.stateMachine.role;
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing (xray:PutTraceSegments and friends) and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'LambdaInvoke grants the function and its versions and aliases (":*"); the state machine invokes only this one function.',
    );
    // The Distributed Map's grant on its own child executions (and their map runs), as CDK writes it.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine)}"}]}]}`;
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    for (const execution of [`${name}:*`, `${name}/Segments:*`]) {
      acknowledge(
        this.stateMachine.node.findChild('DistributedMapPolicy'),
        `AwsSolutions-IAM5[Resource::arn:${partition}:states:${region}:${account}:execution:${execution}]`,
        "A Distributed Map describes and stops its own child executions, whose names Step Functions chooses: only this state machine's executions are granted.",
      );
    }
  }
}
