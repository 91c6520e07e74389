/**
 * One of the proxy's Lambda functions: lambda/handler.ts bundled with one
 * handler export, its own log group and a role that starts with no grants
 * beyond writing that log group and X-Ray traces.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Token, type Duration, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ConfigError, DEFAULTS, ENV, loadConfig, type FunctionRole } from '../../../lambda/config';
import { SettingsError } from '../../settings';
import { acknowledge, LOG_RETENTION } from '../conventions';

const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const HANDLER_ENTRY = join(PROJECT_ROOT, 'lambda', 'handler.ts');
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Size and time budget of a function; see docs/DEPLOY.md for the reasoning. */
export interface FunctionSpec {
  /** The export of lambda/handler.ts it runs. */
  handler: string;
  memorySize: number;
  timeout: Duration;
}

export interface ProxyFunctionOptions {
  description: string;
  environment: Record<string, string>;
  functionName?: string;
  retryAttempts?: number;
  maxEventAge?: Duration;
}

export interface ProxyFunction {
  /** Construct id prefix and alarm name: the role, capitalised. */
  id: string;
  fn: NodejsFunction;
  role: iam.Role;
}

/** Creates the function in the stack's own scope, so its logical IDs are those of the stack before it was split. */
export const createProxyFunction = (stack: Stack, role: FunctionRole, spec: FunctionSpec, options: ProxyFunctionOptions): ProxyFunction => {
  const id = role.charAt(0).toUpperCase() + role.slice(1);
  checkEnvironment(stack, id, options.environment);
  const logGroup = new logs.LogGroup(stack, `${id}Logs`, { retention: LOG_RETENTION });
  // An own role without AWSLambdaBasicExecutionRole: it may write to its log group only.
  const iamRole = new iam.Role(stack, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `${id} function of ${stack.stackName}`,
  });
  logGroup.grantWrite(iamRole);
  const fn = new NodejsFunction(stack, `${id}Function`, {
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
    role: iamRole,
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
    iamRole,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
  );
  acknowledge(
    fn,
    'Serverless-LambdaDLQ',
    role === 'generate'
      ? 'Asynchronous background builds are idempotent: a failed one leaves a "failed" marker and no cache entry, the next request restarts it, and failures count in the Errors alarm. Fan-out steps are synchronous invocations by the build state machine, which retries and catches them.'
      : 'Invoked only synchronously by API Gateway: failures go back to the caller, so a dead-letter queue would never receive anything.',
  );
  if (options.retryAttempts !== undefined) {
    acknowledge(
      fn.node.findChild('EventInvokeConfig'),
      'Serverless-LambdaAsyncFailureDestination',
      'Background builds need no failure destination: a failed build leaves no cache entry, the next request starts a new one, and the Errors alarm reports it.',
    );
  }
  return { id, fn, role: iamRole };
};

/** Runs the Lambda's own config parser over the environment so a bad deployment fails at synth. */
const checkEnvironment = (stack: Stack, id: string, environment: Record<string, string>): void => {
  try {
    loadConfig({ ...environment, [ENV.AWS_REGION]: Token.isUnresolved(stack.region) ? DEFAULTS.region : stack.region });
  } catch (e) {
    if (e instanceof ConfigError) throw new SettingsError(`${id} function environment`, e.message);
    throw e;
  }
};
