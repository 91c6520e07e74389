/**
 * The stack's CloudWatch dashboard: its widgets, and every metric of ours on
 * it checked against what lambda/observability/metrics.ts really emits (the
 * EMF lines of createMetrics, captured), so a renamed metric or dimension
 * fails here instead of leaving an empty graph.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { createMetrics, NAMESPACE } from '../../lambda/observability/metrics';
import { TorrentProxyStack } from '../../infra/stack/TorrentProxyStack';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation and dashboard JSON of any shape
type Json = any;

const ENV = { account: '123456789012', region: 'us-east-1' };
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** The dashboard body with Ref / GetAtt rendered as `<Ref:X>` strings, parsed. */
const bodyOf = (template: Template): { widgets: Json[] } => {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<Ref:${(p as Json).Ref ?? (p as Json)['Fn::GetAtt'].join('.')}>`)).join(''));
};

/** A metric row of a graph widget: [namespace, name, dim, value, ..., { options }], or [{ expression }]. */
const metricRows = (widget: Json): Json[][] => widget.properties.metrics ?? [];

interface Emitted {
  name: string;
  dimensions: Record<string, string>;
}

/** Every metric createMetrics() writes, with the dimension values of each line, from its EMF output. */
const emitted = (): Emitted[] => {
  const lines: string[] = [];
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.startsWith('{')),
    );
    return true;
  });
  try {
    const m = createMetrics();
    for (const status of [200, 404, 503]) m.request('torrent', status, 5);
    m.cache(true);
    m.cache(false);
    m.generated(1024, 10);
    m.badStoreTorrent('media');
    m.seedBytes(100);
    m.seedDeferred();
    m.announce(3, true);
    m.announce(3, false);
  } finally {
    spy.mockRestore();
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
  return lines.flatMap((line) => {
    const doc = JSON.parse(line);
    return (doc._aws.CloudWatchMetrics as Json[]).flatMap((d) => {
      expect(d.Namespace).toBe(NAMESPACE);
      const dimensions = Object.fromEntries((d.Dimensions[0] as string[]).map((k) => [k, doc[k]]));
      return (d.Metrics as Json[]).map((metric) => ({ name: metric.Name as string, dimensions }));
    });
  });
};

describe('Dashboard', () => {
  const stack = new TorrentProxyStack(newApp(), 'Proxy', { env: ENV, settings: { servedBuckets: [{ name: 'media' }] } });
  const template = Template.fromStack(stack);
  const { widgets } = bodyOf(template);
  const graphs = widgets.filter((w) => w.type === 'metric');
  const titled = (title: string) => {
    const found = graphs.filter((w) => w.properties.title === title);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('creates one dashboard named after the stack, and outputs its name', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Proxy' });
    const [id] = Object.keys(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(template.toJSON().Outputs.DashboardName.Value).toEqual({ Ref: id });
  });

  it('has these graphs, in this order', () => {
    expect(graphs.map((w) => w.properties.title)).toEqual([
      'API requests by status',
      'API latency (ms)',
      'Requests by route and status class',
      'Torrent cache lookups',
      'Bytes hashed (torrent builds)',
      'Torrent build time (ms)',
      'Tracker announces',
      'Announce latency (ms)',
      'Web seed',
      'Function errors',
      'Function throttles',
      'Function duration p90 (ms)',
      'Proxy latency by route and status class, p90 (ms)',
      'Store torrents that failed the piece check, by bucket',
      'Fan-out builds (Step Functions executions)',
      'Fan-out build time p90 (ms)',
    ]);
  });

  it("graphs the build state machine's executions started, succeeded, failed and timed out as sums, and its execution time", () => {
    const rows = (title: string) =>
      metricRows(titled(title)).map(([ns, name, dim, value, opts]) => [ns, name, dim, String(value).replace(/[0-9A-F]{8}>$/, '>'), opts.stat]);
    expect(rows('Fan-out builds (Step Functions executions)')).toEqual(
      ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((m) => [
        'AWS/States',
        m,
        'StateMachineArn',
        '<Ref:BuildStateMachine>',
        'Sum',
      ]),
    );
    expect(rows('Fan-out build time p90 (ms)')).toEqual([['AWS/States', 'ExecutionTime', 'StateMachineArn', '<Ref:BuildStateMachine>', 'p90']]);
  });

  it("graphs the API's requests, 4XX and 5XX as sums, and its latency at p50, p90 and p99", () => {
    const api = (rows: Json[][]) => rows.map(([ns, name, dim, value, opts]) => [ns, name, dim, value, opts.stat ?? 'Average']);
    expect(api(metricRows(titled('API requests by status')))).toEqual([
      ['AWS/ApiGateway', 'Count', 'ApiName', 'Proxy', 'Sum'],
      ['AWS/ApiGateway', '4XXError', 'ApiName', 'Proxy', 'Sum'],
      ['AWS/ApiGateway', '5XXError', 'ApiName', 'Proxy', 'Sum'],
    ]);
    expect(api(metricRows(titled('API latency (ms)')))).toEqual(['p50', 'p90', 'p99'].map((p) => ['AWS/ApiGateway', 'Latency', 'ApiName', 'Proxy', p]));
  });

  it('graphs every function’s errors, throttles and p90 duration', () => {
    const functionIds = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(functionIds).toHaveLength(5);
    for (const [title, metric, stat] of [
      ['Function errors', 'Errors', 'Sum'],
      ['Function throttles', 'Throttles', 'Sum'],
      ['Function duration p90 (ms)', 'Duration', 'p90'],
    ]) {
      const rows = metricRows(titled(title));
      expect(rows.map((r) => [r[0], r[1], r[2], r[4].stat])).toEqual(functionIds.map(() => ['AWS/Lambda', metric, 'FunctionName', stat]));
      expect(rows.map((r) => r[3]).sort()).toEqual(functionIds.map((id) => `<Ref:${id}>`).sort());
      expect(rows.map((r) => r[4].label)).toEqual(['Torrent', 'Seed', 'Mint', 'Generate', 'Tracker']);
    }
  });

  it('shows the cache hit ratio computed from the hit and miss series', () => {
    const rows = metricRows(titled('Torrent cache lookups'));
    const expression = rows.find((r) => r[0].expression)?.[0];
    expect(expression).toMatchObject({ expression: '100 * hits / (hits + misses)', label: 'hit %', yAxis: 'right' });
    const ids = rows.filter((r) => r[0] === NAMESPACE).map((r) => [r[3], r[r.length - 1].id]);
    expect(ids).toEqual([
      ['hit', 'hits'],
      ['miss', 'misses'],
    ]);
  });

  it('uses only metric names and dimension sets of ours that lambda/observability/metrics.ts emits', () => {
    const emits = emitted();
    const ours = graphs.flatMap(metricRows).filter((r) => r[0] === NAMESPACE);
    expect(ours.length).toBeGreaterThanOrEqual(12);
    for (const row of ours) {
      const [, name, ...rest] = row;
      const dims: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) if (typeof rest[i] === 'string') dims[rest[i]] = rest[i + 1];
      expect([name, dims, emits.some((e) => e.name === name && JSON.stringify(e.dimensions) === JSON.stringify(dims))]).toEqual([name, dims, true]);
    }
    const searches = graphs
      .flatMap(metricRows)
      .map((r) => r[0].expression as string | undefined)
      .filter((e): e is string => !!e?.startsWith('SEARCH'));
    expect(searches).toHaveLength(3);
    for (const s of searches) {
      const [, ns, dims, name] = /^SEARCH\('\{([^,}]+),([^}]+)\} MetricName="(\w+)"'/.exec(s)!;
      expect(ns).toBe(NAMESPACE);
      expect(emits.some((e) => e.name === name && Object.keys(e.dimensions).join(',') === dims)).toBe(true);
    }
  });

  it('exercises every method of ProxyMetrics above (a new one needs its graph here)', () => {
    expect(Object.keys(createMetrics()).sort()).toEqual(['announce', 'badStoreTorrent', 'cache', 'generated', 'request', 'seedBytes', 'seedDeferred']);
  });

  it('graphs every metric the proxy emits', () => {
    const onDashboard = new Set(
      graphs.flatMap(metricRows).flatMap((r) => (r[0] === NAMESPACE ? [r[1] as string] : [/MetricName="(\w+)"/.exec(r[0].expression ?? '')?.[1] ?? ''])),
    );
    expect([...new Set(emitted().map((e) => e.name))].filter((n) => !onDashboard.has(n))).toEqual([]);
  });

  it('adds no cdk-nag finding', () => {
    const app = newApp();
    new TorrentProxyStack(app, 'Proxy', { env: ENV, settings: { servedBuckets: [{ name: 'media' }] } });
    app.synth();
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) => pack.validateScope(app).violations.map((v) => v.ruleName));
    expect(violations).toEqual([]);
  });
});
