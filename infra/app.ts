/**
 * CDK app (cdk.json runs it with tsx). Settings come from infra/config.json and
 * `-c key=value` (see infra/settings/); cdk-nag's AwsSolutions and Serverless
 * packs run on every synth and fail it on any unacknowledged finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { readSettings } from './settings';
import { TorrentProxyStack } from './stack/TorrentProxyStack';

const app = new App();
const { account, region, stackName, ...settings } = readSettings(app.node);

new TorrentProxyStack(app, stackName ?? 'S3TorrentProxy', {
  // Explicit env so synth works offline without credentials; deploys use the credentials' account when known.
  env: {
    account: account ?? process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012',
    region: region ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  },
  description: 's3-torrent-proxy: .torrent files and web seeds for S3 objects',
  settings,
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
