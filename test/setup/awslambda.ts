// The Lambda runtime's `awslambda` globals must exist before middy builds a streaming handler.
import { installLambdaGlobals } from '../../infra/local/lambdaRuntime';

installLambdaGlobals();
// Tests that check logging capture it themselves (test/helpers/captureLogs.ts); the rest run quiet.
process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
