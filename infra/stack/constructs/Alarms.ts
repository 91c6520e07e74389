/**
 * CloudWatch alarms: the API's 5XX rate, every function's errors and
 * throttles, the peer table's throttled reads and writes, and the build state
 * machine's failed and timed-out executions, sent to an email topic when the
 * deployment names an address.
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { acknowledge } from '../conventions';
import type { ProxyFunction } from './ProxyFunction';

export interface AlarmsProps {
  api: apigw.RestApi;
  functions: ProxyFunction[];
  peerTable: dynamodb.ITable;
  /** The fan-out of very large builds: a failed or timed-out execution is a torrent that was not built. */
  buildStateMachine?: sfn.IStateMachine;
  alarmEmail?: string;
}

/** Creates its resources in the stack's own scope, so their logical IDs are those of the stack before it was split. */
export class Alarms {
  readonly alarms: cloudwatch.Alarm[];

  constructor(stack: Stack, { api, functions, peerTable, buildStateMachine, alarmEmail }: AlarmsProps) {
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
    // Any error or throttle in five minutes alarms.
    const anyIn5Min = (id: string, description: string, metric: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(stack, id, {
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    for (const { id: name, fn } of functions) {
      this.alarms.push(
        anyIn5Min(`${name}Errors`, `${name} function: unhandled errors`, fn.metricErrors(sum5Min)),
        anyIn5Min(`${name}Throttles`, `${name} function: throttled invocations`, fn.metricThrottles(sum5Min)),
      );
    }
    // On-demand tables throttle too: a swarm is one partition key, and a partition takes at most 1,000
    // writes and 3,000 reads a second; traffic that more than doubles its previous peak within 30 minutes
    // may be throttled as well. The SDK retries throttled calls, so an alarm here is an early warning.
    this.alarms.push(
      anyIn5Min('PeerTableReadThrottles', 'peer table: throttled reads', peerTable.metric('ReadThrottleEvents', sum5Min)),
      anyIn5Min('PeerTableWriteThrottles', 'peer table: throttled writes', peerTable.metric('WriteThrottleEvents', sum5Min)),
    );
    // The failed step marks the build failed (pollers get 503 and retry after 5 minutes); a timed-out
    // execution (4 hours) runs no step at all. Either way someone should look at the execution's history.
    if (buildStateMachine) {
      this.alarms.push(
        anyIn5Min('BuildExecutionsFailed', 'build state machine: failed fan-out executions', buildStateMachine.metricFailed(sum5Min)),
        anyIn5Min('BuildExecutionsTimedOut', 'build state machine: timed-out fan-out executions', buildStateMachine.metricTimedOut(sum5Min)),
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
