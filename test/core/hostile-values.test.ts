import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry, Counter as PromCounter } from 'prom-client';
import { DistributedRuntime, DynamoMetricsError } from '../../src/core';
import { Scrape } from '../support/exposition-parser';

/**
 * Issue 14, items 3 to 5: counters take finite non-negative numbers only (and never reach
 * +Infinity), label values are keyed in their well-formed form, and names that Prometheus or
 * OpenMetrics would read as one are refused when the second metric is created.
 */

const refuses = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: Error) => err instanceof DynamoMetricsError && pattern.test(err.message));

describe('strict counter values (item 3)', () => {
  it('inc() refuses strings, booleans, null and objects, and the value stays a number', async () => {
    const runtime = new DistributedRuntime();
    const c = runtime.createCounter('x_total', 'X');
    for (const bad of ['5', true, null, {}, 5n]) {
      refuses(
        () => c.inc(bad as never),
        /^Metric "dynamo_x_total": a counter only goes up; inc\(\) takes a finite number >= 0, got .+ \((string|boolean|object|bigint)\)\.$/,
      );
    }
    c.inc(5);
    assert.equal(c.get(), 5);
    assert.equal(new Scrape(await runtime.prometheusMetricsFmt()).get('dynamo_x_total'), 5);
  });

  it('inc() that would overflow to +Infinity is refused and leaves the value as it was', () => {
    const c = new DistributedRuntime().createCounterVec('big_total', 'Big', ['k']).labels('a');
    c.inc(Number.MAX_VALUE);
    refuses(
      () => c.inc(Number.MAX_VALUE),
      /inc\(.+\) would take the counter from .+ to \+Infinity/,
    );
    assert.equal(c.get(), Number.MAX_VALUE);
  });
});

describe('one string, one series (item 4)', () => {
  it('values that differ only in lone surrogates are one series, written once', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createCounterVec('dup_total', 'Dup', ['v']);
    vec.labels('dup\ud800').inc();
    vec.labels('dup\ud801').inc(2);
    vec.labels({ v: 'dup\udfff' }).inc(3);
    assert.equal(vec.labels('dup\ufffd').get(), 6);
    const text = await runtime.prometheusMetricsFmt();
    const lines = text.split('\n').filter((l) => l.startsWith('dynamo_dup_total{'));
    assert.deepEqual(lines, ['dynamo_dup_total{v="dup\ufffd"} 6']);
    // Well-formed pairs stay themselves.
    vec.labels('pair\ud83d\ude00').inc();
    assert.equal(
      new Scrape(await runtime.prometheusMetricsFmt()).get('dynamo_dup_total', { v: 'pair😀' }),
      1,
    );
  });

  it('constant label values are normalised the same way', async () => {
    const runtime = new DistributedRuntime();
    const a = runtime.createGauge('g', 'G', { tag: 'a\ud800' });
    const b = runtime.createGauge('g', 'G', { tag: 'a\udbff' });
    assert.equal(a, b);
  });
});

describe('names checked at creation (item 5)', () => {
  const pairs: Array<
    [string, (r: DistributedRuntime) => unknown, (r: DistributedRuntime) => unknown]
  > = [
    [
      'histogram x / gauge x_sum',
      (r) => r.createHistogram('x', 'h'),
      (r) => r.createGauge('x_sum', 'g'),
    ],
    [
      'histogram x / counter x_count',
      (r) => r.createHistogram('x', 'h'),
      (r) => r.createCounter('x_count', 'c'),
    ],
    [
      'histogram x / gauge vec x_bucket',
      (r) => r.createHistogram('x', 'h'),
      (r) => r.createGaugeVec('x_bucket', 'g', ['a']),
    ],
    [
      'counter x_total / gauge x',
      (r) => r.createCounter('x_total', 'c'),
      (r) => r.createGauge('x', 'g'),
    ],
    [
      'counter x / gauge x_total',
      (r) => r.createCounter('x', 'c'),
      (r) => r.createGauge('x_total', 'g'),
    ],
    [
      'counter x / counter x_total',
      (r) => r.createCounter('x', 'c'),
      (r) => r.createCounter('x_total', 'c'),
    ],
  ];
  for (const [what, first, second] of pairs) {
    it(`${what}: refused in either order, naming both metrics`, () => {
      for (const [a, b] of [
        [first, second],
        [second, first],
      ]) {
        const runtime = new DistributedRuntime();
        a!(runtime);
        assert.throws(
          () => b!(runtime),
          (err: Error) =>
            /^Metric "dynamo_x(_\w+)?" \(\w+\) clashes with metric "dynamo_x(_\w+)?" \(\w+\)/.test(
              err.message,
            ) && (err.message.match(/"dynamo_x\w*"/g) ?? []).length === 2,
          what,
        );
      }
    });
  }

  it('names that do not clash stay allowed', () => {
    const runtime = new DistributedRuntime();
    runtime.createGauge('x', 'g');
    runtime.createGauge('x_total', 'g');
    runtime.createHistogram('y', 'h');
    runtime.createGauge('y_max', 'g');
    runtime.createCounter('z_total', 'c');
    runtime.createCounter('z_total', 'c');
  });

  it("a metric that shadows one in prom-client's global registry is refused, in either order", () => {
    const global = new Registry();
    new PromCounter({ name: 'dynamo_jobs_total', help: 'Jobs', registers: [global] });
    const runtime = new DistributedRuntime({ includeGlobalRegistry: true, globalRegistry: global });
    refuses(
      () => runtime.createGauge('jobs', 'g'),
      /^Metric "dynamo_jobs" \(gauge\) clashes with prom-client's global registry metric "dynamo_jobs_total" \(counter\)/,
    );
    runtime.createGauge('queue', 'g');
    new PromCounter({ name: 'dynamo_queue', help: 'Q', registers: [global] });
    refuses(
      () => runtime.checkGlobalRegistry(),
      /^Metric "dynamo_queue" \(gauge\) clashes with prom-client's global registry metric "dynamo_queue" \(counter\)/,
    );
    // Without the global registry in the output there is nothing to shadow.
    const alone = new DistributedRuntime({ globalRegistry: global });
    alone.createGauge('jobs', 'g');
    alone.checkGlobalRegistry();
  });
});
