/**
 * CDK app (cdk.json runs it with tsx). Settings are CDK context: their
 * defaults in cdk.json, overridden by the optional infra/config.json and by
 * `-c key=value` (see infra/settings/); cdk-nag's AwsSolutions and Serverless
 * packs run on every synth and fail it on any unacknowledged finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { readSettings } from './settings';
import { TorrentProxyStack } from './stack/TorrentProxyStack';

/** Only for an offline synth: with credentials the CDK CLI sets CDK_DEFAULT_ACCOUNT, and a deploy uses that account. */
const SYNTH_ONLY_ACCOUNT = '123456789012';

const app = new App();
const { account, region, stackName, ...settings } = readSettings(app.node);

new TorrentProxyStack(app, stackName ?? 'S3TorrentProxy', {
  // Explicit env so synth works offline without credentials.
  env: {
    account: account ?? process.env.CDK_DEFAULT_ACCOUNT ?? SYNTH_ONLY_ACCOUNT,
    region: region ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  },
  description: 's3-torrent-proxy: .torrent files and web seeds for S3 objects',
  settings,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
