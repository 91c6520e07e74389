/** What every part of the stack shares. */
import { Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/** Retention of every log group the stack creates. */
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** Acknowledges a cdk-nag finding on a construct; the reason is what docs/DEPLOY.md lists. */
export const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
