/**
 * cdk.json as the CDK CLI reads it: the recommended feature flags of the
 * installed aws-cdk-lib, the deployment settings as context with the
 * defaults the stack and the Lambda really use, and a synth with that
 * context that cdk-nag passes and that keeps every resource's logical ID.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULTS } from '../../lambda/config';
import { readSettings, SETTINGS_DEFAULTS } from '../../infra/settings';
import { SETTING_KEYS } from '../../infra/settings/ProxySettings';
import { TorrentProxyStack } from '../../infra/stack/TorrentProxyStack';

const ROOT = resolve('.');
const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
const recommended = JSON.parse(readFileSync(createRequire(join(ROOT, 'package.json')).resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<
  string,
  unknown
>;

/** The app as infra/app.ts builds it, on a given context, without bundling. */
const synth = (context: Record<string, unknown>) => {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const { account, region, stackName, ...settings } = readSettings(app.node, join(ROOT, 'test', 'no-such-settings-file.json'));
  const stack = new TorrentProxyStack(app, stackName ?? 'S3TorrentProxy', {
    env: { account: account ?? '123456789012', region: region ?? 'us-east-1' },
    settings: { ...settings, servedBuckets: [{ name: 'media' }] },
  });
  return { app, stack, template: Template.fromStack(stack) };
};

describe('cdk.json', () => {
  it('sets every feature flag aws-cdk-lib recommends, at its recommended value (what `cdk init` writes)', () => {
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    const flags = Object.fromEntries(Object.entries(cdkJson.context).filter(([k]) => k.startsWith('@aws-cdk')));
    expect(flags).toEqual(recommended);
  });

  it('keeps the CLI offline: no notices, no version reporting, no telemetry', () => {
    expect(cdkJson).toMatchObject({ app: 'npx tsx infra/app.ts', notices: false, versionReporting: false, context: { 'cli-telemetry': false } });
  });

  it('documents each setting it carries with the default the stack or the Lambda really uses', () => {
    const settings = Object.fromEntries(Object.entries(cdkJson.context).filter(([k]) => (SETTING_KEYS as readonly string[]).includes(k)));
    expect(settings).toEqual({
      stackName: 'S3TorrentProxy',
      servedBuckets: [],
      linkDefaultTtlSeconds: DEFAULTS.linkDefaultTtlSeconds,
      linkMaxTtlSeconds: DEFAULTS.linkMaxTtlSeconds,
      trackers: [],
      seedMode: DEFAULTS.seedMode,
      throttlingRateLimit: SETTINGS_DEFAULTS.throttlingRateLimit,
      throttlingBurstLimit: SETTINGS_DEFAULTS.throttlingBurstLimit,
      cacheExpirationDays: SETTINGS_DEFAULTS.cacheExpirationDays,
      apiGatewayCloudWatchRole: SETTINGS_DEFAULTS.apiGatewayCloudWatchRole,
      alarmEmail: '',
      fanoutBytesPerSecond: DEFAULTS.fanoutBytesPerSecond,
      fanoutMaxConcurrency: DEFAULTS.fanoutMaxConcurrency,
    });
  });

  it('names no AWS account', () => {
    expect(cdkJson.context.account).toBeUndefined();
    expect(JSON.stringify(cdkJson)).not.toMatch(/\b\d{12}\b/);
  });

  describe('synthesized with its context (feature flags and settings)', () => {
    const flagged = synth(cdkJson.context);
    const plain = synth({});

    it('gives the same template with and without its setting defaults (they are the defaults)', () => {
      const withoutSettings = synth(Object.fromEntries(Object.entries(cdkJson.context).filter(([k]) => !(SETTING_KEYS as readonly string[]).includes(k))));
      expect(flagged.template.toJSON()).toEqual(withoutSettings.template.toJSON());
    });

    it('keeps every logical ID; only the API deployment, named by a hash of the API, changes', () => {
      const ids = (t: Template) =>
        Object.entries(t.toJSON().Resources as Record<string, { Type: string }>)
          .filter(([, r]) => r.Type !== 'AWS::ApiGateway::Deployment')
          .map(([id, r]) => `${r.Type} ${id}`)
          .sort();
      expect(ids(flagged.template)).toEqual(ids(plain.template));
      flagged.template.resourceCountIs('AWS::ApiGateway::Deployment', 1);
    });

    it('finds nothing unacknowledged in the AwsSolutions and Serverless packs', () => {
      flagged.app.synth();
      const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
        pack.validateScope(flagged.app).violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
      );
      expect(violations).toEqual([]);
    });

    it('writes partition literals and sorted, merged policy actions (enablePartitionLiterals, minimizePolicies)', () => {
      const outputs = flagged.template.toJSON().Outputs;
      expect(JSON.stringify(outputs.MintInvokeArn.Value)).toContain('arn:aws:execute-api:us-east-1:123456789012:');
      expect(JSON.stringify(plain.template.toJSON().Outputs.MintInvokeArn.Value)).toContain('{"Ref":"AWS::Partition"}');
    });
  });
});
