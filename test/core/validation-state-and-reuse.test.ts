import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DistributedRuntime, DynamoMetricsError, sanitizeHierarchyName } from '../../src/internal';
import { levels } from '../support/metrics-errors';

/**
 * A refused definition loses no state; get-or-create returns the same objects; namespace,
 * component and endpoint names are sanitised.
 */

describe('errors do not lose state', () => {
  it('values recorded before a failing creation are still exported, and the metric still works', async () => {
    const runtime = new DistributedRuntime();
    const ep = runtime.namespace('n').component('c').endpoint('e');
    const kept = ep.createCounter('kept_total', 'Kept');
    kept.inc(3);
    const vec = ep.createGaugeVec('kept_gauge', 'Kept gauge', ['slot']);
    vec.labels('a').set(7);

    assert.throws(() => ep.createGauge('kept_total', 'Kept'), DynamoMetricsError);
    assert.throws(() => ep.createCounter('kept_total', 'Other help'), DynamoMetricsError);
    assert.throws(() => ep.createCounterVec('kept_total', 'Kept', ['x']), DynamoMetricsError);
    assert.throws(
      () => ep.createGaugeVec('kept_gauge', 'Kept gauge', ['slot', 'x']),
      DynamoMetricsError,
    );
    assert.throws(
      () => ep.createCounter('kept_total', 'Kept', { 'bad-name': 'v' }),
      DynamoMetricsError,
    );
    assert.throws(() => kept.inc(-5), DynamoMetricsError);
    assert.throws(() => vec.labels('a').set(NaN), DynamoMetricsError);

    const out = await runtime.prometheusMetricsFmt();
    assert.match(out, /^dynamo_kept_total\{namespace="n",component="c",endpoint="e"\} 3$/m);
    assert.match(
      out,
      /^dynamo_kept_gauge\{namespace="n",component="c",endpoint="e",slot="a"\} 7$/m,
    );
    assert.equal(out.match(/^# TYPE dynamo_kept_total counter$/gm)?.length, 1);

    // Get-or-create still hands back the same, still-working objects.
    assert.equal(ep.createCounter('kept_total', 'Kept'), kept);
    assert.equal(ep.createGaugeVec('kept_gauge', 'Kept gauge', ['slot']), vec);
    kept.inc();
    assert.match(await runtime.prometheusMetricsFmt(), /^dynamo_kept_total\{.*\} 4$/m);
  });

  it('a creation refused during validation registers nothing under that name', async () => {
    const runtime = new DistributedRuntime();
    assert.throws(
      () => runtime.createCounterVec('half_total', 'help', ['bad-name']),
      DynamoMetricsError,
    );
    assert.throws(() => runtime.createCounter('half_total', ''), DynamoMetricsError);
    assert.throws(
      () => runtime.createHistogram('half_total', 'help', {}, [2, 1]),
      DynamoMetricsError,
    );
    // The name is still free for a different definition.
    runtime.createGauge('half_total', 'A gauge after all').set(1);
    assert.equal(
      await runtime.prometheusMetricsFmt(),
      '# HELP dynamo_half_total A gauge after all\n# TYPE dynamo_half_total gauge\ndynamo_half_total 1\n',
    );
  });
});

describe('get-or-create', () => {
  it('the same plain creation twice returns the very same series, at every level', () => {
    for (const [, level] of levels()) {
      assert.equal(level.createCounter('a_total', 'A'), level.createCounter('a_total', 'A'));
      assert.equal(level.createIntGauge('b', 'B'), level.createIntGauge('b', 'B'));
      assert.equal(
        level.createHistogram('c_seconds', 'C', { gpu: 'x' }, [1, 2]),
        level.createHistogram('c_seconds', 'C', { gpu: 'x' }, [1, 2]),
      );
    }
  });

  it('the same vec creation twice returns the very same vec, and the same bound series', () => {
    for (const [, level] of levels()) {
      const v1 = level.createCounterVec('r_total', 'R', ['model'], { tier: 'gold' });
      const v2 = level.createCounterVec('r_total', 'R', ['model'], { tier: 'gold' });
      assert.equal(v1, v2);
      assert.equal(v1.labels('m'), v2.labels({ model: 'm' }));
      const h1 = level.createHistogramVec('h_seconds', 'H', ['model'], undefined, [1]);
      assert.equal(h1, level.createHistogramVec('h_seconds', 'H', ['model'], undefined, [1]));
    }
  });

  it('plain metrics with the same constant labels share a series; other values get their own', async () => {
    const runtime = new DistributedRuntime();
    const ns = runtime.namespace('n');
    const eu = ns.createCounter('hits_total', 'Hits', { region: 'eu' });
    assert.equal(ns.createCounter('hits_total', 'Hits', { region: 'eu' }), eu);
    const us = ns.createCounter('hits_total', 'Hits', { region: 'us' });
    assert.notEqual(us, eu);
    eu.inc(2);
    us.inc(5);
    assert.equal(
      await runtime.prometheusMetricsFmt(),
      '# HELP dynamo_hits_total Hits\n# TYPE dynamo_hits_total counter\n' +
        'dynamo_hits_total{namespace="n",region="eu"} 2\n' +
        'dynamo_hits_total{namespace="n",region="us"} 5\n',
    );
  });

  it('the same name at two endpoints is one family: one HELP/TYPE, two series', async () => {
    const runtime = new DistributedRuntime();
    const comp = runtime.namespace('n').component('c');
    const a = comp.endpoint('a').createCounter('calls_total', 'Calls');
    const b = comp.endpoint('b').createCounter('calls_total', 'Calls');
    assert.notEqual(a, b);
    a.inc();
    b.inc(2);
    assert.equal(
      await runtime.prometheusMetricsFmt(),
      '# HELP dynamo_calls_total Calls\n# TYPE dynamo_calls_total counter\n' +
        'dynamo_calls_total{namespace="n",component="c",endpoint="a"} 1\n' +
        'dynamo_calls_total{namespace="n",component="c",endpoint="b"} 2\n',
    );
    assert.equal(runtime.metricFamilies().length, 1);
  });

  it('the same child name returns the same level object', () => {
    const runtime = new DistributedRuntime();
    assert.equal(runtime.namespace('a-b'), runtime.namespace('a-b'));
    const comp = runtime.namespace('a-b').component('c');
    assert.equal(runtime.namespace('a-b').component('c'), comp);
    assert.equal(comp.endpoint('e.1'), runtime.namespace('a-b').component('c').endpoint('e.1'));
    assert.notEqual(runtime.namespace('a'), runtime.namespace('b'));
    // Names that sanitise alike are the same level (one rule, see below).
    assert.equal(runtime.namespace('a.b'), runtime.namespace('a-b'));
    assert.equal(runtime.namespace('a_b'), runtime.namespace('a-b'));
  });
});

describe('sanitising namespace, component and endpoint names', () => {
  const cases: Array<[string, string]> = [
    ['my-service', 'my_service'],
    ['llm.backend', 'llm_backend'],
    ['2fast', '_2fast'],
    ['already_ok', 'already_ok'],
    ['MixedCase9', 'MixedCase9'],
    ['a b/c:d', 'a_b_c_d'],
    ['café', 'caf_'],
  ];

  for (const [given, clean] of cases) {
    it(`${JSON.stringify(given)} -> ${JSON.stringify(clean)}`, () => {
      assert.equal(sanitizeHierarchyName('namespace', given), clean);
    });
  }

  it('sanitised names are what the levels use as names and label values', async () => {
    const runtime = new DistributedRuntime();
    const ep = runtime.namespace('my-service').component('llm.backend').endpoint('2fast');
    assert.equal(ep.name, '_2fast');
    assert.equal(ep.component.name, 'llm_backend');
    assert.equal(ep.component.namespace.name, 'my_service');
    assert.deepEqual(ep.hierarchyLabels, {
      namespace: 'my_service',
      component: 'llm_backend',
      endpoint: '_2fast',
    });
    ep.createCounter('x_total', 'X').inc();
    assert.match(
      await runtime.prometheusMetricsFmt(),
      /^dynamo_x_total\{namespace="my_service",component="llm_backend",endpoint="_2fast"\} 1$/m,
    );
  });
});
