import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DistributedRuntime,
  DynamoMetricsError,
  resolveConfig,
  WorkerMetrics,
} from '../../src/internal';
import { Scrape } from '../support/exposition-parser';

const scrape = async (runtime: DistributedRuntime) =>
  new Scrape(await runtime.prometheusMetricsFmt());

const throwsMessage = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DynamoMetricsError, String(err));
    assert.match((err as Error).message, message);
    return true;
  });

describe('naming profiles: hierarchy metrics', () => {
  it('component: dynamo_component_<name> with dynamo_namespace/dynamo_component/dynamo_endpoint', async () => {
    const runtime = new DistributedRuntime({ naming: 'component', prefix: 'ignored' });
    const ns = runtime.namespace('llm.prod');
    ns.createGauge('queue_depth', 'Queue depth').set(3);
    ns.component('backend').endpoint('generate').createIntCounter('hits_total', 'Hits').inc(2);
    const s = await scrape(runtime);
    assert.equal(s.get('dynamo_component_queue_depth', { dynamo_namespace: 'llm_prod' }), 3);
    assert.equal(
      s.get('dynamo_component_hits_total', {
        dynamo_namespace: 'llm_prod',
        dynamo_component: 'backend',
        dynamo_endpoint: 'generate',
      }),
      2,
    );
    // Rendering a level still filters by the profile's labels.
    const sub = new Scrape(await ns.component('backend').prometheusMetricsFmt());
    assert.deepEqual([...sub.names()], ['dynamo_component_hits_total']);
  });

  it('component reserves its own hierarchy labels, and frees the classic ones', () => {
    const ep = new DistributedRuntime({ naming: 'component' })
      .namespace('n')
      .component('c')
      .endpoint('e');
    throwsMessage(
      () => ep.createCounterVec('x_total', 'X', ['dynamo_endpoint']),
      /label "dynamo_endpoint" is reserved; "dynamo_namespace", "dynamo_component" and "dynamo_endpoint" are added automatically/,
    );
    // Kubernetes-style `namespace` / `endpoint` labels are the user's in this profile.
    ep.createCounterVec('y_total', 'Y', ['namespace', 'endpoint']).labels('k8s', 'http').inc();
    const classic = new DistributedRuntime().namespace('n');
    throwsMessage(
      () => classic.createCounter('z_total', 'Z', { namespace: 'x' }),
      /label "namespace" is reserved; "namespace", "component" and "endpoint" are added/,
    );
  });

  it('an unknown profile is a clear error naming the accepted ones', () => {
    throwsMessage(
      () => new DistributedRuntime({ naming: 'modern' as never }),
      /Invalid naming profile "modern": use one of \[classic, component\]/,
    );
  });

  it('runtime labels go on every hierarchy metric, not on withPrefix views, and cannot be reused', async () => {
    const runtime = new DistributedRuntime({ labels: { model: 'llama' } });
    runtime.createIntGauge('info', 'Info').set(1);
    runtime.namespace('dynamo').component('backend').createIntCounter('a_total', 'A').inc();
    runtime.withPrefix('front').createIntCounterVec('b_total', 'B', ['model']).labels('x').inc();
    const s = await scrape(runtime);
    assert.equal(s.get('dynamo_info', { model: 'llama' }), 1);
    assert.equal(
      s.get('dynamo_a_total', { namespace: 'dynamo', component: 'backend', model: 'llama' }),
      1,
    );
    assert.equal(s.get('front_b_total', { model: 'x' }), 1);
    throwsMessage(
      () => runtime.namespace('dynamo').createCounterVec('c_total', 'C', ['model']),
      /label "model" is already set on every metric by the runtime's `labels` option/,
    );
    throwsMessage(
      () => new DistributedRuntime({ naming: 'component', labels: { dynamo_namespace: 'x' } }),
      /Invalid runtime labels/,
    );
  });
});

describe('naming profiles: worker metrics', () => {
  it('classic: the guide names only, unless the two new metrics are asked for', async () => {
    const runtime = new DistributedRuntime();
    const ep = runtime.namespace('dynamo').component('backend').endpoint('generate');
    const worker = new WorkerMetrics(ep);
    worker.end({ startedAt: worker.start() });
    const names = [...(await scrape(runtime)).names()].map((n) =>
      n.replace(/_(bucket|sum|count)$/, ''),
    );
    assert.deepEqual(
      [...new Set(names)],
      [
        'dynamo_requests_total',
        'dynamo_concurrent_requests',
        'dynamo_request_duration_seconds',
        'dynamo_request_bytes_total',
        'dynamo_response_bytes_total',
        'dynamo_errors_total',
      ],
    );
    const other = new DistributedRuntime();
    const extra = new WorkerMetrics(other.namespace('dynamo').component('b').endpoint('e'), {
      cancellation: true,
      timeToFirstResponse: true,
    });
    extra.end({ startedAt: extra.start(), errorType: 'cancelled' });
    const s = await scrape(other);
    const labels = { namespace: 'dynamo', component: 'b', endpoint: 'e' };
    assert.equal(s.get('dynamo_cancellation_total', labels), 1);
    assert.equal(s.get('dynamo_time_to_first_response_seconds_count', labels), 0);
  });

  it('component: inflight_requests, cancellation_total and time_to_first_response_seconds', async () => {
    const runtime = new DistributedRuntime({ naming: 'component' });
    const ep = runtime.namespace('dynamo').component('backend').endpoint('generate');
    const worker = new WorkerMetrics(ep);
    const t0 = worker.start();
    assert.equal(worker.concurrent.value, 1);
    worker.end({ startedAt: t0, requestBytes: 10, responseBytes: 20, firstResponseAt: t0 + 5 });
    worker.end({ startedAt: worker.start(), errorType: 'handler_error' }); // no TTFR: nothing sent
    worker.end({ startedAt: worker.start(), errorType: 'cancelled' });
    worker.end({ startedAt: worker.start() }); // unary success: its whole response is the first item
    const s = await scrape(runtime);
    const labels = {
      dynamo_namespace: 'dynamo',
      dynamo_component: 'backend',
      dynamo_endpoint: 'generate',
    };
    assert.equal(s.get('dynamo_component_requests_total', labels), 4);
    assert.equal(s.get('dynamo_component_inflight_requests', labels), 0);
    assert.equal(s.get('dynamo_component_cancellation_total', labels), 1);
    assert.equal(s.get('dynamo_component_errors_total', { ...labels, error_type: 'cancelled' }), 1);
    assert.equal(s.get('dynamo_component_time_to_first_response_seconds_count', labels), 2);
    const ttfr = s.get('dynamo_component_time_to_first_response_seconds_sum', labels);
    assert.ok(ttfr >= 0.005, `TTFR sum ${ttfr}`);
    assert.equal(s.find('dynamo_concurrent_requests', labels), undefined);
  });

  it('labels: one series set per distinct value list, shared when created again, never collapsed', async () => {
    const runtime = new DistributedRuntime({ naming: 'component' });
    const ep = runtime.namespace('dynamo').component('backend').endpoint('generate');
    const set = (model: string, tier: string) => new WorkerMetrics(ep, { labels: { model, tier } });
    const a = set('llama', 'gold');
    assert.equal(set('llama', 'gold').requests, a.requests, 'the same series for the same values');
    // Joined with ',' these two would be the same key; they are two series.
    set('a,b', 'c').end({ startedAt: set('a,b', 'c').start() });
    const ab = set('a', 'b,c');
    ab.end({ startedAt: ab.start() });
    ab.end({ startedAt: ab.start() });
    const s = await scrape(runtime);
    const base = {
      dynamo_namespace: 'dynamo',
      dynamo_component: 'backend',
      dynamo_endpoint: 'generate',
    };
    assert.equal(s.get('dynamo_component_requests_total', { ...base, model: 'a,b', tier: 'c' }), 1);
    assert.equal(s.get('dynamo_component_requests_total', { ...base, model: 'a', tier: 'b,c' }), 2);
    assert.equal(
      s.get('dynamo_component_requests_total', { ...base, model: 'llama', tier: 'gold' }),
      0,
    );
    // Every error type of a new label set is exported at 0, with the per-call labels first.
    assert.equal(
      s.get('dynamo_component_errors_total', {
        ...base,
        model: 'llama',
        tier: 'gold',
        error_type: 'stream_error',
      }),
      0,
    );
  });
});

describe('naming profiles: configuration', () => {
  it('DYN_METRICS_NAMING wins over the option; empty is unset; anything else is a named error', () => {
    assert.equal(resolveConfig({}, {}).naming, 'classic');
    assert.equal(resolveConfig({ naming: 'component' }, {}).naming, 'component');
    assert.equal(
      resolveConfig({ naming: 'component' }, { DYN_METRICS_NAMING: 'classic' }).naming,
      'classic',
    );
    assert.equal(
      resolveConfig({ naming: 'component' }, { DYN_METRICS_NAMING: ' ' }).naming,
      'component',
    );
    // Any case, as the booleans (TRUE) are.
    assert.equal(resolveConfig({}, { DYN_METRICS_NAMING: 'Component' }).naming, 'component');
    assert.equal(resolveConfig({}, { DYN_METRICS_NAMING: 'CLASSIC' }).naming, 'classic');
    throwsMessage(
      () => resolveConfig({}, { DYN_METRICS_NAMING: 'components' }),
      /^DYN_METRICS_NAMING="components" is not valid; accepted values: "classic" or "component"/,
    );
    throwsMessage(
      () => resolveConfig({ naming: 'new' as never }, {}),
      /^option naming="new" is not valid/,
    );
  });

  it('defaults follow the profile: frontend prefix and the two new worker metrics', () => {
    const classic = resolveConfig({}, {});
    assert.equal(classic.frontendPrefix, 'nv_llm_http_service');
    assert.deepEqual(classic.worker, { cancellation: false, timeToFirstResponse: false });
    const component = resolveConfig({}, { DYN_METRICS_NAMING: 'component' });
    assert.equal(component.frontendPrefix, 'dynamo_frontend');
    assert.deepEqual(component.worker, { cancellation: true, timeToFirstResponse: true });
    // DYN_METRICS_PREFIX renames the frontend family in both profiles, as in Dynamo.
    assert.equal(
      resolveConfig({}, { DYN_METRICS_NAMING: 'component', DYN_METRICS_PREFIX: 'nim_llm' })
        .frontendPrefix,
      'nim_llm',
    );
    throwsMessage(
      () => resolveConfig({ labels: ['model'] as never }, {}),
      /^option labels=\["model"\] is not valid/,
    );
  });
});
