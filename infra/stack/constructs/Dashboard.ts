/**
 * One CloudWatch dashboard for the deployment: API Gateway's own request,
 * status and latency metrics, the proxy's EMF metrics (namespace, names and
 * dimensions exactly as lambda/observability/metrics.ts emits them: requests by
 * route, cache lookups, bytes hashed, build time, the swarm's announces, web
 * seed bytes and deferrals), every function's errors, throttles and duration,
 * and the build state machine's executions (started, succeeded, failed, timed out).
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NAMESPACE } from '../../../lambda/observability/metrics';
import type { ProxyFunction } from './ProxyFunction';

export interface DashboardProps {
  api: apigw.RestApi;
  functions: ProxyFunction[];
  /** The fan-out of very large builds (constructs/BuildStateMachine.ts). */
  buildStateMachine?: sfn.IStateMachine;
}

const PERIOD = Duration.minutes(5);
const PERCENTILES = [50, 90, 99] as const;

/** One of our EMF metrics, with exactly the dimensions it is emitted with. */
const emf = (metricName: string, dimensionsMap: Record<string, string>, statistic: string, label: string) =>
  new cloudwatch.Metric({ namespace: NAMESPACE, metricName, dimensionsMap, statistic, label, period: PERIOD });

/** Every series of one EMF metric, whatever the values of its dimensions (`Route`, `StatusClass`, `Bucket`, ...). */
const search = (metricName: string, dimensions: string[], statistic: string, label: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${NAMESPACE},${dimensions.join(',')}} MetricName="${metricName}"', '${statistic}', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
  });

const graph = (title: string, left: cloudwatch.IMetric[], opts: Partial<cloudwatch.GraphWidgetProps> = {}) =>
  new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, period: PERIOD, ...opts });

/** Creates its resource in the stack's own scope, like the other parts. */
export class Dashboard {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(stack: Stack, { api, functions, buildStateMachine }: DashboardProps) {
    const sum = { period: PERIOD, statistic: cloudwatch.Stats.SUM };
    const hits = emf('CacheLookups', { Cache: 'hit' }, cloudwatch.Stats.SUM, 'hits');
    const misses = emf('CacheLookups', { Cache: 'miss' }, cloudwatch.Stats.SUM, 'misses');
    const perFunction = (title: string, metric: (p: ProxyFunction) => cloudwatch.IMetric) => graph(title, functions.map(metric));

    this.dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', {
      dashboardName: stack.stackName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown: `# ${stack.stackName}\nAPI Gateway metrics of the prod stage; the proxy's own metrics (namespace \`${NAMESPACE}\`, 5-minute periods); every function's errors, throttles and duration.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          graph('API requests by status', [
            api.metricCount({ ...sum, label: 'requests' }),
            api.metricClientError({ ...sum, label: '4XX' }),
            api.metricServerError({ ...sum, label: '5XX' }),
          ]),
          graph(
            'API latency (ms)',
            PERCENTILES.map((p) => api.metricLatency({ period: PERIOD, statistic: `p${p}`, label: `p${p}` })),
          ),
          graph('Requests by route and status class', [search('Requests', ['Route', 'StatusClass'], 'Sum', '')]),
        ],
        [
          graph('Torrent cache lookups', [hits, misses], {
            right: [
              new cloudwatch.MathExpression({ expression: '100 * hits / (hits + misses)', usingMetrics: { hits, misses }, label: 'hit %', period: PERIOD }),
            ],
            rightYAxis: { min: 0, max: 100, label: '%', showUnits: false },
          }),
          graph('Bytes hashed (torrent builds)', [emf('BytesHashed', { Event: 'generated' }, cloudwatch.Stats.SUM, 'bytes hashed')]),
          graph('Torrent build time (ms)', [
            ...PERCENTILES.map((p) => emf('GenerationTime', { Event: 'generated' }, `p${p}`, `p${p}`)),
            emf('GenerationTime', { Event: 'generated' }, 'Maximum', 'max'),
          ]),
        ],
        [
          graph('Tracker announces', [
            emf('Announces', { Event: 'announce', Outcome: 'ok' }, cloudwatch.Stats.SUM, 'answered'),
            emf('Announces', { Event: 'announce', Outcome: 'failure' }, cloudwatch.Stats.SUM, 'failed'),
          ]),
          graph(
            'Announce latency (ms)',
            PERCENTILES.map((p) => emf('AnnounceLatency', { Event: 'announce', Outcome: 'ok' }, `p${p}`, `p${p}`)),
          ),
          graph('Web seed', [emf('SeedBytes', { Event: 'seed' }, cloudwatch.Stats.SUM, 'bytes served or redirected')], {
            right: [emf('SeedDeferrals', { Event: 'seed' }, cloudwatch.Stats.SUM, 'deferrals (the swarm could serve)')],
          }),
        ],
        [
          perFunction('Function errors', ({ id, fn }) => fn.metricErrors({ ...sum, label: id })),
          perFunction('Function throttles', ({ id, fn }) => fn.metricThrottles({ ...sum, label: id })),
          perFunction('Function duration p90 (ms)', ({ id, fn }) => fn.metricDuration({ period: PERIOD, statistic: 'p90', label: id })),
        ],
        [
          graph('Proxy latency by route and status class, p90 (ms)', [search('Latency', ['Route', 'StatusClass'], 'p90', '')], { width: 12 }),
          graph('Store torrents that failed the piece check, by bucket', [search('BadStoreTorrents', ['Bucket'], 'Sum', '')], { width: 12 }),
        ],
        ...(buildStateMachine
          ? [
              [
                graph(
                  'Fan-out builds (Step Functions executions)',
                  [
                    buildStateMachine.metricStarted({ ...sum, label: 'started' }),
                    buildStateMachine.metricSucceeded({ ...sum, label: 'succeeded' }),
                    buildStateMachine.metricFailed({ ...sum, label: 'failed' }),
                    buildStateMachine.metricTimedOut({ ...sum, label: 'timed out' }),
                  ],
                  { width: 12 },
                ),
                graph('Fan-out build time p90 (ms)', [buildStateMachine.metricTime({ period: PERIOD, statistic: 'p90', label: 'p90' })], { width: 12 }),
              ],
            ]
          : []),
      ],
    });
  }
}
