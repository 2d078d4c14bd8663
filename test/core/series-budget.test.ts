import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DistributedRuntime, SeriesOverflowEvent } from '../../src/core';
import { Scrape } from '../support/exposition-parser';

/**
 * Issue 14, item 1: every metric with variable labels has a series budget. Past it, and for
 * label values over the length limit, updates land in one `__overflow__` series per set of fixed
 * labels, so totals stay exact; `<prefix>_series_overflow_total{metric}` counts the lookups and
 * `onSeriesOverflow` fires once per metric.
 */

const scrape = async (runtime: DistributedRuntime) =>
  new Scrape(await runtime.prometheusMetricsFmt());

describe('series budget', () => {
  it('defaults: 2,000 series per metric, then one __overflow__ series; totals stay exact', async () => {
    const events: SeriesOverflowEvent[] = [];
    const runtime = new DistributedRuntime({ onSeriesOverflow: (e) => events.push(e) });
    const backend = runtime.namespace('ns').component('backend');
    const tokens = backend.createCounterVec('tokens_total', 'Tokens', ['model']);
    for (let i = 0; i < 2500; i++) tokens.labels(`m${i}`).inc(2);
    const s = await scrape(runtime);
    const series = s.matching('dynamo_tokens_total');
    assert.equal(series.length, 2001, 'the budget plus one overflow series');
    const fixed = { namespace: 'ns', component: 'backend' };
    assert.equal(s.get('dynamo_tokens_total', { ...fixed, model: 'm1999' }), 2);
    assert.equal(s.find('dynamo_tokens_total', { ...fixed, model: 'm2000' }), undefined);
    assert.equal(s.get('dynamo_tokens_total', { ...fixed, model: '__overflow__' }), 500 * 2);
    assert.equal(
      series.reduce((sum, x) => sum + x.value, 0),
      5000,
    );
    assert.equal(s.get('dynamo_series_overflow_total', { metric: 'dynamo_tokens_total' }), 500);
    assert.deepEqual(events, [
      {
        metric: 'dynamo_tokens_total',
        reason: 'series-budget',
        limit: 2000,
        counter: 'dynamo_series_overflow_total',
      },
    ]);
    // Known label sets keep their own series after the budget is full.
    tokens.labels('m7').inc();
    assert.equal(tokens.labels('m7').get(), 3);
  });

  it('every variable label reads __overflow__; hierarchy and constant labels keep their values', async () => {
    const runtime = new DistributedRuntime({ maxSeries: 2 });
    const a = runtime.namespace('ns').component('a');
    const b = runtime.namespace('ns').component('b');
    const make = (level: typeof a) =>
      level.createCounterVec('calls_total', 'Calls', ['route', 'code'], { region: 'eu' });
    make(a).labels('/x', '200').inc();
    make(b).labels('/y', '200').inc();
    make(a).labels('/z', '500').inc(3);
    make(b).labels('/w', '404').inc(4);
    make(b).labels('/v', '404').inc(5);
    const s = await scrape(runtime);
    const overflow = { namespace: 'ns', region: 'eu', route: '__overflow__', code: '__overflow__' };
    assert.equal(s.get('dynamo_calls_total', { ...overflow, component: 'a' }), 3);
    assert.equal(s.get('dynamo_calls_total', { ...overflow, component: 'b' }), 9);
    assert.equal(s.matching('dynamo_calls_total').length, 4);
    assert.equal(s.get('dynamo_series_overflow_total', { metric: 'dynamo_calls_total' }), 3);
  });

  it('label values over the length limit overflow (never truncated), whatever the budget', async () => {
    const events: SeriesOverflowEvent[] = [];
    const runtime = new DistributedRuntime({
      maxLabelValueLength: 8,
      onSeriesOverflow: (e) => events.push(e),
    });
    const vec = runtime.createGaugeVec('temperature', 'Temperature', ['room']);
    vec.labels('12345678').set(1);
    vec.labels('123456789').inc(2);
    vec.labels('123456780').inc(3);
    const s = await scrape(runtime);
    assert.equal(s.get('dynamo_temperature', { room: '12345678' }), 1);
    assert.equal(s.get('dynamo_temperature', { room: '__overflow__' }), 5);
    assert.equal(s.matching('dynamo_temperature').length, 2);
    assert.deepEqual(
      events.map((e) => [e.reason, e.limit]),
      [['value-length', 8]],
    );
  });

  it('a 1 MB label value costs one overflow lookup, and the exposition stays small', async () => {
    const runtime = new DistributedRuntime();
    const vec = runtime.createHistogramVec('latency_seconds', 'Latency', ['model']);
    const huge = 'x'.repeat(1 << 20);
    for (let i = 0; i < 50; i++) vec.labels(`${huge}${i}`).observe(0.2);
    const text = await runtime.prometheusMetricsFmt();
    assert.ok(text.length < 10_000, `exposition is ${text.length} characters`);
    assert.equal(
      new Scrape(text).get('dynamo_latency_seconds_count', { model: '__overflow__' }),
      50,
    );
  });

  it('per-metric budgets override the default; remove() frees a place', async () => {
    const runtime = new DistributedRuntime({
      maxSeries: 1,
      maxSeriesPerMetric: { dynamo_big_total: 3 },
    });
    const big = runtime.createCounterVec('big_total', 'Big', ['k']);
    const small = runtime.createCounterVec('small_total', 'Small', ['k']);
    for (const k of ['a', 'b', 'c', 'd']) {
      big.labels(k).inc();
      small.labels(k).inc();
    }
    let s = await scrape(runtime);
    assert.equal(s.get('dynamo_big_total', { k: '__overflow__' }), 1);
    assert.equal(s.get('dynamo_small_total', { k: '__overflow__' }), 3);
    assert.equal(small.remove('a'), true);
    small.labels('e').inc(7);
    s = await scrape(runtime);
    assert.equal(s.get('dynamo_small_total', { k: 'e' }), 7);
    assert.equal(s.get('dynamo_series_overflow_total', { metric: 'dynamo_small_total' }), 3);
  });

  it('without overflow there is no overflow counter in the output', async () => {
    const runtime = new DistributedRuntime({ prefix: '' });
    runtime.createCounterVec('ok_total', 'Fine', ['k']).labels('a').inc();
    assert.ok(!(await runtime.prometheusMetricsFmt()).includes('series_overflow_total'));
  });

  it('refuses budgets that are not whole numbers >= 1, naming the option', () => {
    for (const [options, pattern] of [
      [{ maxSeries: 0 }, /maxSeries=0: give a whole number >= 1/],
      [{ maxSeries: 1.5 }, /maxSeries=1\.5/],
      [{ maxLabelValueLength: '256' }, /maxLabelValueLength="256" \(string\)/],
      [{ maxSeriesPerMetric: { dynamo_x: -1 } }, /maxSeriesPerMetric\["dynamo_x"\]=-1/],
      [{ maxSeriesPerMetric: [] }, /maxSeriesPerMetric=\[\] \(object\).*per full metric name/],
    ] as const) {
      assert.throws(
        () => new DistributedRuntime(options as never),
        (err: Error) => pattern.test(err.message),
        JSON.stringify(options),
      );
    }
  });
});
