/**
 * CloudWatch alarms: the API's 5XX rate and every function's errors and
 * throttles, sent to an email topic when the deployment names an address.
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { acknowledge } from '../conventions';
import type { ProxyFunction } from './ProxyFunction';

export interface AlarmsProps {
  api: apigw.RestApi;
  functions: ProxyFunction[];
  alarmEmail?: string;
}

/** Creates its resources in the stack's own scope, so their logical IDs are those of the stack before it was split. */
export class Alarms {
  readonly alarms: cloudwatch.Alarm[];

  constructor(stack: Stack, { api, functions, alarmEmail }: AlarmsProps) {
    this.alarms = [
      new cloudwatch.Alarm(stack, 'Api5xxRate', {
        alarmDescription: 'More than 5% of API requests answered 5XX',
        metric: api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.AVERAGE }),
        threshold: 0.05,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    const sum5Min = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    for (const { id: name, fn } of functions) {
      // Any error or throttle in five minutes alarms.
      const anyIn5Min = (id: string, what: string, metric: cloudwatch.IMetric) =>
        new cloudwatch.Alarm(stack, id, {
          alarmDescription: `${name} function: ${what}`,
          metric,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      this.alarms.push(
        anyIn5Min(`${name}Errors`, 'unhandled errors', fn.metricErrors(sum5Min)),
        anyIn5Min(`${name}Throttles`, 'throttled invocations', fn.metricThrottles(sum5Min)),
      );
    }
    if (!alarmEmail) return;
    const topic = new sns.Topic(stack, 'AlarmTopic', { displayName: `${stack.stackName} alarms`, enforceSSL: true });
    topic.addSubscription(new EmailSubscription(alarmEmail));
    acknowledge(
      topic,
      'Serverless-SNSRedrivePolicy',
      'Email subscription for alarm notifications; an undelivered email leaves the alarm visible in CloudWatch, so no dead-letter queue.',
    );
    for (const alarm of this.alarms) alarm.addAlarmAction(new SnsAction(topic));
  }
}
