// The Lambda runtime's `awslambda` globals must exist before middy builds a streaming handler.
import { installLambdaGlobals } from '../../infra/local/lambdaRuntime';
import { logger } from '../../lambda/observability/logger';

installLambdaGlobals();
// Tests that check logging capture it themselves; the rest run quiet.
logger.setLevel((process.env.TEST_LOG_LEVEL as 'debug') ?? 'silent');
