import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DistributedRuntime } from '../../src/internal';
import { expectError } from '../support/metrics-errors';

/**
 * Conflicting definitions of one name, and the values bound series refuse.
 */

describe('conflicting definitions', () => {
  it('the same name with a different type names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createCounter('thing_total', 'Things');
    expectError(
      () => runtime.createGauge('thing_total', 'Things'),
      /^Metric "dynamo_thing_total" is already defined as counter\(help="Things", labels=\[\]\); cannot define it again as gauge\(help="Things", labels=\[\]\)/,
    );
    expectError(
      () => runtime.createIntCounter('thing_total', 'Things'),
      /already defined as counter\(.*\); cannot define it again as integer counter\(/,
    );
  });

  it('the same name with a different help names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createGaugeVec('load', 'Load', ['gpu']);
    expectError(
      () => runtime.createGaugeVec('load', 'Current load', ['gpu']),
      /already defined as gauge\(help="Load", labels=\[gpu\]\); cannot define it again as gauge\(help="Current load", labels=\[gpu\]\)/,
    );
  });

  it('the same name with different label names names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createCounterVec('req_total', 'Requests', ['model']);
    expectError(
      () => runtime.createCounterVec('req_total', 'Requests', ['model', 'status']),
      /already defined as counter\(help="Requests", labels=\[model\]\); cannot define it again as counter\(help="Requests", labels=\[model,status\]\)/,
    );
    expectError(
      () => runtime.createCounter('req_total', 'Requests'),
      /labels=\[model\]\); cannot define it again as counter\(help="Requests", labels=\[\]\)/,
    );
    // A metric created at two levels of different depth has different (automatic) label names.
    runtime.namespace('n').createCounter('deep_total', 'Deep');
    expectError(
      () => runtime.namespace('n').component('c').createCounter('deep_total', 'Deep'),
      /labels=\[namespace\]\); cannot define it again as counter\(help="Deep", labels=\[component,namespace\]\)/,
    );
  });

  it('the same name with different buckets names both definitions', () => {
    const runtime = new DistributedRuntime();
    runtime.createHistogram('lat_seconds', 'Latency', {}, [0.1, 1]);
    expectError(
      () => runtime.createHistogram('lat_seconds', 'Latency', {}, [0.1, 2]),
      /already defined as histogram\(help="Latency", labels=\[\], buckets=\[0\.1,1\]\); cannot define it again as histogram\(help="Latency", labels=\[\], buckets=\[0\.1,2\]\)/,
    );
    expectError(
      () => runtime.createHistogram('lat_seconds', 'Latency'),
      /buckets=\[0\.1,1\]\); cannot define it again as histogram\(.*buckets=\[0\.005,0\.01,/,
    );
  });

  it('a conflict is detected on a repeated vec creation too (help differs)', () => {
    const runtime = new DistributedRuntime();
    runtime.createHistogramVec('ttft_seconds', 'TTFT', ['model'], {}, [1, 2]);
    expectError(
      () =>
        runtime.createHistogramVec('ttft_seconds', 'Time to first token', ['model'], {}, [1, 2]),
      /already defined as histogram\(help="TTFT"/,
    );
    expectError(
      () => runtime.createHistogramVec('ttft_seconds', 'TTFT', ['model'], {}, [1, 3]),
      /buckets=\[1,2\]\); cannot define it again as histogram\(.*buckets=\[1,3\]\)/,
    );
  });
});

describe('value validation on bound series', () => {
  it('an int counter refuses 1.5; an int gauge refuses 2.5', () => {
    const runtime = new DistributedRuntime();
    const c = runtime.createIntCounter('n_total', 'help');
    expectError(
      () => c.inc(1.5),
      /^Metric "dynamo_n_total": inc\(\) of an integer metric takes a whole number, got 1\.5/,
    );
    const g = runtime.createIntGaugeVec('slots', 'help', ['pool']).labels('a');
    expectError(
      () => g.set(2.5),
      /^Metric "dynamo_slots": set\(\) of an integer metric takes a whole number, got 2\.5/,
    );
    expectError(() => g.inc(0.5), /inc\(\) of an integer metric/);
    c.inc(2);
    g.set(-3);
    assert.equal(c.get(), 2);
    assert.equal(g.get(), -3);
  });

  it('a counter refuses negative, NaN and infinite increments', () => {
    const c = new DistributedRuntime().createCounter('x_total', 'help');
    for (const bad of [-1, NaN, Infinity]) {
      expectError(
        () => c.inc(bad),
        new RegExp(
          `^Metric "dynamo_x_total": a counter only goes up; inc\\(\\) takes a finite number >= 0, got ${String(bad)}`,
        ),
      );
    }
    c.inc(0);
    c.inc(0.25);
    assert.equal(c.get(), 0.25);
  });

  it('a histogram refuses observe(NaN) and infinities; a gauge refuses set(NaN)', () => {
    const runtime = new DistributedRuntime();
    const h = runtime.createHistogram('h_seconds', 'help');
    for (const bad of [NaN, Infinity, -Infinity]) {
      expectError(
        () => h.observe(bad),
        new RegExp(
          `^Metric "dynamo_h_seconds": observe\\(\\) takes a finite number, got ${String(bad)}`,
        ),
      );
    }
    assert.equal(h.count, 0);
    assert.equal(h.sum, 0);
    const g = runtime.createGauge('g', 'help');
    expectError(() => g.set(NaN), /^Metric "dynamo_g": set\(\) takes a finite number, got NaN/);
    expectError(() => g.dec(Infinity), /dec\(\) takes a finite number, got Infinity/);
    assert.equal(g.get(), 0);
  });

  it('labels() with a missing, unknown or wrongly counted label, or a bad value type', () => {
    const vec = new DistributedRuntime().createCounterVec('req_total', 'help', ['model', 'status']);
    expectError(
      () => vec.labels({ model: 'a' }),
      /^Metric "dynamo_req_total": missing value for label "status"; this metric's variable labels are \[model, status\]/,
    );
    expectError(
      () => vec.labels({ model: 'a', status: 'ok', region: 'eu' }),
      /^Metric "dynamo_req_total": unknown label "region"; this metric's variable labels are \[model, status\]/,
    );
    expectError(
      () => vec.labels('a'),
      /^Metric "dynamo_req_total": labels\(\) expects 2 value\(s\) for \[model, status\], got 1/,
    );
    expectError(
      () => vec.labels('a', 'b', 'c'),
      /expects 2 value\(s\) for \[model, status\], got 3/,
    );
    expectError(() => vec.labels(), /expects 2 value\(s\) for \[model, status\], got 0/);
    expectError(
      () => vec.labels({ model: 'a', status: undefined as unknown as string }),
      /^Metric "dynamo_req_total": label "status" has value undefined of type undefined; label values must be strings or numbers/,
    );
    expectError(
      () => vec.labels('a', null as unknown as string),
      /label "status" has value null of type object/,
    );
    expectError(() => vec.remove({ model: 'a' }), /missing value for label "status"/);
  });

  it('a failed labels() call creates no series', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createCounterVec('req_total', 'help', ['model']);
    assert.throws(() => vec.labels({ model: 'a', extra: 'b' }));
    assert.throws(() => vec.labels('a', 'b'));
    assert.doesNotMatch(await runtime.prometheusMetricsFmt(), /^dynamo_req_total\{/m);
  });
});
