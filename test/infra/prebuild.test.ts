import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { PreBuild, prebuildBuckets, prefixForms } from '../../infra/stack/constructs/PreBuild';
import { TorrentProxyStack } from '../../infra/stack/TorrentProxyStack';

const ENV = { account: '123456789012', region: 'us-east-1' };

const SERVED = [
  { name: 'uploads', expectedOwner: '111122223333', prebuild: { prefixes: ['incoming/', 'drop box/'] } },
  { name: 'media', expectedOwner: '111122223333', prefix: 'public/', prebuild: true },
  { name: 'whole-bucket', expectedOwner: '111122223333', prebuild: true },
  { name: 'archive', expectedOwner: '111122223333' },
];

/** The stack's pre-build rules wired to the generate function as TorrentProxyStack wires them (here, until the stack does it itself). */
const withPreBuild = (stack: TorrentProxyStack) =>
  stack.node.tryFindChild('PreBuild') ?? new PreBuild(stack, 'PreBuild', { target: stack.functions.generate, buckets: prebuildBuckets(stack.servedBuckets) });

const synth = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TorrentProxyStack(app, 'Proxy', { env: ENV, settings: { servedBuckets: SERVED } });
  withPreBuild(stack);
  return { app, stack, template: Template.fromStack(stack) };
};

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template fragments of any shape
type Cfn = Record<string, any>;

describe('PreBuild', () => {
  const { app, stack, template } = synth();
  const generateId = stack.getLogicalId(stack.functions.generate.node.defaultChild as never);
  const rules = Object.entries(template.findResources('AWS::Events::Rule') as Record<string, Cfn>);

  test('one rule per bucket that opted in: Object Created from aws.s3 for its bucket and prefixes (none for a whole bucket)', () => {
    expect(rules.map(([, r]) => r.Properties.EventPattern)).toEqual([
      {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        // 'drop box/' also as S3 form-encodes keys ("+" for the space), whichever form the event carries.
        detail: { bucket: { name: ['uploads'] }, object: { key: [{ prefix: 'incoming/' }, { prefix: 'drop box/' }, { prefix: 'drop+box/' }] } },
      },
      { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: ['media'] }, object: { key: [{ prefix: 'public/' }] } } },
      { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: ['whole-bucket'] } } },
    ]);
  });

  test('every rule targets the generate function alone, retrying twice for at most an hour, and may invoke it', () => {
    expect(
      rules.map(([, r]) => ({ state: r.Properties.State, targets: r.Properties.Targets.map((t: Cfn) => ({ arn: t.Arn, retry: t.RetryPolicy })) })),
    ).toEqual(
      rules.map(() => ({
        state: 'ENABLED',
        targets: [{ arn: { 'Fn::GetAtt': [generateId, 'Arn'] }, retry: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } }],
      })),
    );
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission') as Record<string, Cfn>)
      .filter((p) => p.Properties.Principal === 'events.amazonaws.com')
      .map((p) => ({ fn: p.Properties.FunctionName, source: p.Properties.SourceArn }));
    expect(permissions).toEqual(rules.map(([id]) => ({ fn: { 'Fn::GetAtt': [generateId, 'Arn'] }, source: { 'Fn::GetAtt': [id, 'Arn'] } })));
  });

  test('no rule at all when no bucket opted in', () => {
    const bare = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new TorrentProxyStack(bare, 'Proxy', { env: ENV, settings: { servedBuckets: [SERVED[3]] } });
    withPreBuild(stack);
    expect(Template.fromStack(stack).findResources('AWS::Events::Rule')).toEqual({});
  });

  test('adds nothing the AwsSolutions and Serverless packs report', () => {
    app.synth();
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`))
        .filter((f) => f.includes('/PreBuild')),
    );
    expect(findings).toEqual([]);
  });

  test('prefixForms: as written, then form-encoded per segment ("/" kept) when that differs', () => {
    expect(['incoming/', 'drop box/été/', 'a+b/', '100%/'].map(prefixForms)).toEqual([
      ['incoming/'],
      ['drop box/été/', 'drop+box/%C3%A9t%C3%A9/'],
      ['a+b/', 'a%2Bb/'],
      ['100%/', '100%25/'],
    ]);
  });
});
