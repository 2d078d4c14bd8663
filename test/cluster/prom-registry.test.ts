import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregatorRegistry, Counter, Registry } from 'prom-client';
import {
  aggregateWorkerMetrics,
  ClusterMetricsCollector,
  DistributedRuntime,
  DynamoMetricsError,
  enableClusterWorker,
  includedRegistry,
  OPENMETRICS_CONTENT_TYPE,
} from '../../src/internal';
import { Scrape } from '../support/exposition-parser';

/** In-process parts of the cluster support: the prom-client registry view and aggregation. */

const render = async (metrics: ReturnType<typeof aggregateWorkerMetrics>): Promise<Scrape> => {
  const registry = new Registry();
  for (const m of metrics) registry.registerMetric(m as never);
  return new Scrape(await registry.metrics());
};

describe('runtime.promRegistry()', () => {
  it('is one live prom-client Registry with the same text as prometheusMetricsFmt()', async () => {
    const runtime = new DistributedRuntime();
    const registry = runtime.promRegistry();
    assert.ok(registry instanceof Registry);
    assert.equal(runtime.promRegistry(), registry);
    const ep = runtime.namespace('ns').component('backend').endpoint('generate');
    ep.createIntCounter('requests_total', 'Requests').inc(3);
    // Created after the view was taken: still in it.
    ep.createHistogram('latency_seconds', 'Latency', {}, [0.1, 1]).observe(0.5);
    assert.deepEqual(
      registry.getMetricsAsArray().map((m) => m.name),
      ['dynamo_requests_total', 'dynamo_latency_seconds'],
    );
    assert.equal(await registry.metrics(), await runtime.prometheusMetricsFmt());
    assert.ok(registry.getSingleMetric('dynamo_requests_total'));
    const json = await registry.getMetricsAsJSON();
    assert.deepEqual(json[0]!.values, [
      {
        labels: { namespace: 'ns', component: 'backend', endpoint: 'generate' },
        value: 3,
        metricName: undefined,
      },
    ]);
  });

  it('refuses writes; renders OpenMetrics as the runtime does, families untouched', async () => {
    const runtime = new DistributedRuntime();
    const registry = runtime.promRegistry();
    const counter = new Counter({ name: 'other_total', help: 'x', registers: [] });
    assert.throws(() => registry.registerMetric(counter), DynamoMetricsError);
    assert.throws(() => registry.clear(), DynamoMetricsError);
    runtime.createCounter('jobs_total', 'Jobs').inc();
    registry.setContentType(OPENMETRICS_CONTENT_TYPE as never);
    const open = await runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
    assert.equal(await registry.metrics(), open);
    assert.equal(await registry.metrics(), open);
    assert.equal(
      await registry.getSingleMetricAsString('dynamo_jobs_total'),
      open.replace(/\n# EOF\n$/, ''),
    );
    assert.deepEqual(
      registry.getMetricsAsArray().map((m) => m.name),
      ['dynamo_jobs_total'],
    );
  });

  it('includedRegistry() is the global registry exactly when the runtime includes it', () => {
    const global = new Registry();
    assert.equal(includedRegistry(new DistributedRuntime()), undefined);
    const withGlobal = new DistributedRuntime({
      includeGlobalRegistry: true,
      globalRegistry: global,
    });
    assert.equal(includedRegistry(withGlobal), global);
  });

  it("works with prom-client's AggregatorRegistry.aggregate() and Registry.merge()", async () => {
    const worker = (uptime: number) => {
      const runtime = new DistributedRuntime();
      runtime
        .namespace('ns')
        .component('c')
        .endpoint('e')
        .createIntCounter('requests_total', 'R')
        .inc(2);
      const up = runtime.namespace('ns').createGauge('uptime_seconds', 'U');
      up.set(uptime);
      runtime.setAggregator('dynamo_uptime_seconds', 'max');
      return runtime;
    };
    const a = worker(5);
    const b = worker(3);
    const merged = AggregatorRegistry.aggregate([
      await a.promRegistry().getMetricsAsJSON(),
      await b.promRegistry().getMetricsAsJSON(),
    ]);
    const s = new Scrape(await merged.metrics());
    assert.equal(
      s.get('dynamo_requests_total', { namespace: 'ns', component: 'c', endpoint: 'e' }),
      4,
    );
    assert.equal(s.get('dynamo_uptime_seconds', { namespace: 'ns' }), 5);

    const other = new Registry();
    new Counter({ name: 'other_total', help: 'x', registers: [other] }).inc();
    const both = Registry.merge([a.promRegistry(), other]);
    assert.deepEqual(
      both
        .getMetricsAsArray()
        .map((m) => m.name)
        .sort(),
      ['dynamo_requests_total', 'dynamo_uptime_seconds', 'other_total'],
    );
  });

  it('setAggregator() rejects unknown aggregators and unknown metrics', () => {
    const runtime = new DistributedRuntime();
    runtime.createGauge('g', 'G');
    assert.throws(
      () => runtime.setAggregator('dynamo_g', 'median' as never),
      /one of \[sum, first/,
    );
    assert.throws(() => runtime.setAggregator('dynamo_nope', 'max'), /no metric of that name/);
  });
});

describe('aggregateWorkerMetrics()', () => {
  it('keeps label sets apart that prom-client cluster hashing merges', async () => {
    const worker = () => {
      const runtime = new DistributedRuntime();
      const vec = runtime.createIntCounterVec('tricky_total', 'T', ['a', 'b']);
      vec.labels('1,b:2', '').inc();
      vec.labels('1', '2,b:').inc();
      return runtime.promRegistry().getMetricsAsJSON();
    };
    const perWorker = [await worker(), await worker()];
    const ours = await render(aggregateWorkerMetrics(perWorker as never));
    assert.equal(ours.get('dynamo_tricky_total', { a: '1,b:2', b: '' }), 2);
    assert.equal(ours.get('dynamo_tricky_total', { a: '1', b: '2,b:' }), 2);
    // prom-client's own aggregation collapses both into one series (why the collector has its own).
    const theirs = new Scrape(await AggregatorRegistry.aggregate(perWorker).metrics());
    assert.equal(theirs.matching('dynamo_tricky_total').length, 1);
  });

  it('applies each aggregator and drops omitted metrics', async () => {
    const metric = (name: string, aggregator: string, value: number) => ({
      name,
      help: 'h',
      type: 'gauge',
      aggregator,
      values: [{ labels: { x: 'y' }, value }],
    });
    const perWorker = [
      [
        metric('s', 'sum', 1),
        metric('mx', 'max', 1),
        metric('mn', 'min', 1),
        metric('avg', 'average', 1),
        metric('f', 'first', 1),
        metric('o', 'omit', 1),
      ],
      [
        metric('s', 'sum', 3),
        metric('mx', 'max', 3),
        metric('mn', 'min', 3),
        metric('avg', 'average', 3),
        metric('f', 'first', 3),
        metric('o', 'omit', 3),
      ],
    ];
    const s = await render(aggregateWorkerMetrics(perWorker));
    assert.deepEqual(
      ['s', 'mx', 'mn', 'avg', 'f'].map((n) => s.get(n, { x: 'y' })),
      [4, 3, 1, 2, 1],
    );
    assert.equal(s.names().has('o'), false);
    assert.throws(
      () => aggregateWorkerMetrics([[metric('bad', 'median', 1)]]),
      /not a defined aggregator/,
    );
  });

  it('restores non-finite values sent as strings over JSON IPC', async () => {
    const s = await render(
      aggregateWorkerMetrics([
        [
          {
            name: 'g',
            help: 'h',
            type: 'gauge',
            aggregator: 'max',
            values: [{ value: 'Infinity' }],
          },
        ],
      ]),
    );
    assert.equal(s.get('g'), Infinity);
  });
});

describe('outside a cluster', () => {
  it('enableClusterWorker() is a no-op outside a worker', () => {
    const registration = enableClusterWorker(new DistributedRuntime());
    assert.equal(registration.active, false);
    registration.disable();
  });

  it('a collector in a primary without workers renders nothing', async () => {
    const collector = new ClusterMetricsCollector({ timeoutMs: 100 });
    try {
      assert.deepEqual(collector.workers, []);
      assert.equal(await collector.collect(), '');
      assert.equal(await collector.collect(OPENMETRICS_CONTENT_TYPE), '# EOF\n');
    } finally {
      collector.close();
    }
    await assert.rejects(collector.collect(), /closed/);
    assert.throws(() => new ClusterMetricsCollector({ timeoutMs: 0 }), /timeoutMs/);
  });
});
