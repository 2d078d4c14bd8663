import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, register, Registry } from 'prom-client';
import {
  DistributedRuntime,
  MetricCreatedEvent,
  OPENMETRICS_CONTENT_TYPE,
  WorkerMetrics,
} from '../../src/internal';
import { sleep } from '../support/net';

describe('runtime isolation', () => {
  it('two runtimes do not share metrics, series or definitions', async () => {
    const a = new DistributedRuntime();
    const b = new DistributedRuntime();
    const ca = a.namespace('n').createCounter('hits_total', 'Hits');
    const cb = b.namespace('n').createCounter('hits_total', 'Hits');
    assert.notEqual(ca, cb);
    assert.notEqual(a.namespace('n'), b.namespace('n'));
    ca.inc(3);
    assert.equal(cb.get(), 0);
    assert.match(await a.prometheusMetricsFmt(), /^dynamo_hits_total\{namespace="n"\} 3$/m);
    assert.match(await b.prometheusMetricsFmt(), /^dynamo_hits_total\{namespace="n"\} 0$/m);

    // A definition in one runtime does not conflict with a different one in another.
    a.createCounter('thing_total', 'Things');
    b.createGauge('thing_total', 'Things').set(1);
    assert.match(await a.prometheusMetricsFmt(), /^# TYPE dynamo_thing_total counter$/m);
    assert.match(await b.prometheusMetricsFmt(), /^# TYPE dynamo_thing_total gauge$/m);

    // Runtime metrics never leak into prom-client's global registry.
    assert.equal(register.getSingleMetric('dynamo_hits_total'), undefined);
    assert.doesNotMatch(await register.metrics(), /dynamo_/);
  });

  it('WorkerMetrics of two runtimes are independent', () => {
    const endpoint = (rt: DistributedRuntime) =>
      rt.namespace('dynamo').component('c').endpoint('e');
    const a = new WorkerMetrics(endpoint(new DistributedRuntime()));
    const b = new WorkerMetrics(endpoint(new DistributedRuntime()));
    a.start();
    assert.equal(a.requests.get(), 1);
    assert.equal(b.requests.get(), 0);
  });
});

describe('includeGlobalRegistry', () => {
  it('a prom-client Counter on the global register appears only when includeGlobalRegistry is true', async () => {
    const global = new Counter({ name: 'legacy_jobs_total', help: 'Jobs from plain prom-client' });
    try {
      global.inc(4);
      const withGlobal = new DistributedRuntime({ includeGlobalRegistry: true });
      const without = new DistributedRuntime();
      const byDefault = new DistributedRuntime({ includeGlobalRegistry: false });
      for (const rt of [withGlobal, without, byDefault]) rt.createCounter('own_total', 'Own').inc();

      assert.equal(
        await withGlobal.prometheusMetricsFmt(),
        '# HELP dynamo_own_total Own\n# TYPE dynamo_own_total counter\ndynamo_own_total 1\n\n' +
          '# HELP legacy_jobs_total Jobs from plain prom-client\n# TYPE legacy_jobs_total counter\nlegacy_jobs_total 4\n',
      );
      for (const rt of [without, byDefault]) {
        assert.equal(
          await rt.prometheusMetricsFmt(),
          '# HELP dynamo_own_total Own\n# TYPE dynamo_own_total counter\ndynamo_own_total 1\n',
        );
      }
      // Only the runtime level includes the global registry; a namespace stays its own subtree.
      withGlobal.namespace('n').createGauge('depth', 'Depth').set(1);
      assert.doesNotMatch(
        await withGlobal.namespace('n').prometheusMetricsFmt(),
        /legacy_jobs_total/,
      );

      // Values are live: the next scrape sees the next increment.
      global.inc();
      assert.match(await withGlobal.prometheusMetricsFmt(), /^legacy_jobs_total 5$/m);
    } finally {
      register.removeSingleMetric('legacy_jobs_total');
    }
    assert.equal(register.getSingleMetric('legacy_jobs_total'), undefined);
  });

  it('OpenMetrics output includes the global counter without renaming it in prom-client', async () => {
    const global = new Counter({ name: 'legacy_calls_total', help: 'Calls' });
    try {
      global.inc(2);
      const rt = new DistributedRuntime({ includeGlobalRegistry: true });
      const om = await rt.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
      assert.equal(
        om,
        '# HELP legacy_calls Calls\n# TYPE legacy_calls counter\nlegacy_calls_total 2\n# EOF\n',
      );
      // prom-client would strip _total from the registered object itself; the core must not.
      assert.equal((global as unknown as { name: string }).name, 'legacy_calls_total');
      assert.equal(register.getSingleMetric('legacy_calls_total'), global);
      assert.equal(
        await rt.prometheusMetricsFmt(),
        '# HELP legacy_calls_total Calls\n# TYPE legacy_calls_total counter\nlegacy_calls_total 2\n',
      );
      assert.match(await register.metrics(), /^legacy_calls_total 2$/m);
    } finally {
      register.removeSingleMetric('legacy_calls_total');
    }
  });

  it('a custom globalRegistry is the one included', async () => {
    const custom = new Registry();
    new Gauge({ name: 'custom_temperature_celsius', help: 'Temp', registers: [custom] }).set(21);
    // On the default global register, so it must not show up.
    new Gauge({ name: 'global_only_gauge', help: 'Global' }).set(1);
    try {
      const rt = new DistributedRuntime({ includeGlobalRegistry: true, globalRegistry: custom });
      const out = await rt.prometheusMetricsFmt();
      assert.equal(
        out,
        '# HELP custom_temperature_celsius Temp\n# TYPE custom_temperature_celsius gauge\ncustom_temperature_celsius 21\n',
      );
    } finally {
      register.removeSingleMetric('global_only_gauge');
    }
  });
});

describe('prefix option', () => {
  it('defaults to dynamo and is inherited by every level', async () => {
    const rt = new DistributedRuntime();
    const ep = rt.namespace('n').component('c').endpoint('e');
    assert.equal(rt.prefix, 'dynamo');
    assert.equal(ep.prefix, 'dynamo');
    ep.createCounter('calls_total', 'Calls').inc();
    assert.match(await rt.prometheusMetricsFmt(), /^dynamo_calls_total\{/m);
  });

  it("'' means no prefix", async () => {
    const rt = new DistributedRuntime({ prefix: '' });
    rt.createCounter('jobs_total', 'Jobs').inc();
    new WorkerMetrics(rt.namespace('n').component('c').endpoint('e'));
    const out = await rt.prometheusMetricsFmt();
    assert.match(out, /^# TYPE jobs_total counter$/m);
    assert.match(out, /^jobs_total 1$/m);
    assert.match(out, /^# TYPE requests_total counter$/m);
    assert.match(out, /^requests_total\{namespace="n",component="c",endpoint="e"\} 0$/m);
    assert.match(out, /^concurrent_requests\{/m);
    assert.doesNotMatch(out, /dynamo_/);
  });

  it("'dynamo_frontend' prefixes every metric, worker metrics included", async () => {
    const rt = new DistributedRuntime({ prefix: 'dynamo_frontend' });
    rt.namespace('n').createGauge('inflight_requests', 'Inflight').set(2);
    new WorkerMetrics(rt.namespace('n').component('c').endpoint('e'));
    const out = await rt.prometheusMetricsFmt();
    assert.match(out, /^dynamo_frontend_inflight_requests\{namespace="n"\} 2$/m);
    assert.match(
      out,
      /^dynamo_frontend_requests_total\{namespace="n",component="c",endpoint="e"\} 0$/m,
    );
    const names = new Set([...out.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
    assert.ok(
      [...names].every((n) => n.startsWith('dynamo_frontend_')),
      [...names].join(','),
    );
  });
});

describe('runtime services', () => {
  it('onCollect() hooks run before each scrape, so values are fresh', async () => {
    const created = performance.now();
    const rt = new DistributedRuntime();
    const uptime = rt.namespace('n').createGauge('uptime_seconds', 'Uptime');
    let scrapes = 0;
    rt.onCollect('dynamo_uptime_seconds', () => uptime.set(++scrapes));
    assert.match(await rt.prometheusMetricsFmt(), /^dynamo_uptime_seconds\{namespace="n"\} 1$/m);
    assert.match(
      await rt.namespace('n').prometheusMetricsFmt(),
      /^dynamo_uptime_seconds\{namespace="n"\} 2$/m,
    );
    // uptimeSeconds() is the time since the runtime was created, on the same clock: between two
    // readings it grows by the time that passed between them, within the readings' own span.
    const a0 = performance.now();
    const first = rt.uptimeSeconds();
    const a1 = performance.now();
    await sleep(20);
    const b0 = performance.now();
    const second = rt.uptimeSeconds();
    const b1 = performance.now();
    const grew = second - first;
    const eps = 1e-9;
    assert.ok(grew >= (b0 - a1) / 1000 - eps && grew <= (b1 - a0) / 1000 + eps, `grew ${grew} s`);
    assert.ok(second <= (b1 - created) / 1000 + eps, `${second} s since creation`);
  });

  it('onMetricCreated reports each creation with its level', () => {
    const events: MetricCreatedEvent[] = [];
    const rt = new DistributedRuntime({ onMetricCreated: (e) => events.push(e) });
    rt.namespace('my-ns')
      .component('c')
      .createCounterVec('req_total', 'Requests', ['model'], { tier: 'a' });
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], {
      name: 'dynamo_req_total',
      type: 'counter vec',
      level: 'my_ns/c',
      labelNames: ['namespace', 'component', 'tier', 'model'],
      constLabels: { namespace: 'my_ns', component: 'c', tier: 'a' },
    });
  });

  it('onMetricCreated is not called for a creation that fails', () => {
    const events: MetricCreatedEvent[] = [];
    const rt = new DistributedRuntime({ onMetricCreated: (e) => events.push(e) });
    rt.createCounter('thing_total', 'Things');
    assert.throws(() => rt.createGauge('thing_total', 'Things'));
    assert.deepEqual(
      events.map((e) => `${e.name} ${e.type}`),
      ['dynamo_thing_total counter'],
    );
  });
});
