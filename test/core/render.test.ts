import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  DistributedRuntime,
  HistogramSeries,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from '../../src/internal';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
import { turnsDuring } from '../support/event-loop';

/** The parts of one render (left unreleased: their buffers go to the garbage collector). */
const partsOf = async (runtime: DistributedRuntime, contentType?: string) =>
  (await runtime.leaseExposition(contentType)).parts;

const TRICKY = 'back\\slash "quoted"\nnext line, ünïcödé ✓';
const BUCKETS = [0.001, 0.5, 1, 2.5, 1000];

/**
 * The same content twice: in a runtime (the package's renderer) and in a prom-client Registry
 * (prom-client's), label names in the same order, values chosen to cover how numbers print.
 */
function sameContent(contentType: string) {
  const runtime = new DistributedRuntime();
  const registry = new (Registry as unknown as new (t: string) => Registry)(contentType);
  const registers = [registry];

  const jobs = runtime.createCounterVec('jobs_total', `Jobs \\ done\nper ${TRICKY}`, ['kind', 'a']);
  const pcJobs = new Counter({
    name: 'dynamo_jobs_total',
    help: `Jobs \\ done\nper ${TRICKY}`,
    labelNames: ['kind', 'a'],
    registers,
  });
  for (const [kind, a, n] of [
    ['plain', '1', 3],
    [TRICKY, '', 1e308],
    ['', 'x', 0],
  ] as const) {
    jobs.labels(kind, a).inc(n);
    pcJobs.labels({ kind, a }).inc(n);
  }
  // Counters refuse to overflow to +Infinity (strict values), so the largest finite total stands.

  runtime.createCounter('plain_events', 'A counter not named _total').inc(7);
  new Counter({ name: 'dynamo_plain_events', help: 'A counter not named _total', registers }).inc(
    7,
  );

  const gauges = runtime.createGaugeVec('levels', 'Levels', ['v']);
  const pcGauges = new Gauge({
    name: 'dynamo_levels',
    help: 'Levels',
    labelNames: ['v'],
    registers,
  });
  const values = [-0.5, 1e21, 2 ** 53 + 2, -(2 ** 40), 1e-7, 0.1 + 0.2, -0, 123456789];
  values.forEach((value, i) => {
    gauges.labels(String(i)).set(value);
    pcGauges.labels({ v: String(i) }).set(value);
  });

  const latency = runtime
    .namespace('ns')
    .component('comp')
    .endpoint('ep')
    .createHistogramVec('latency_seconds', 'Latency', ['model'], { zone: 'z"1' }, BUCKETS);
  const pcLatency = new Histogram({
    name: 'dynamo_latency_seconds',
    help: 'Latency',
    labelNames: ['namespace', 'component', 'endpoint', 'zone', 'model'],
    buckets: BUCKETS,
    registers,
  });
  const single = runtime.createHistogram('single_seconds', 'No labels', {}, BUCKETS);
  const pcSingle = new Histogram({
    name: 'dynamo_single_seconds',
    help: 'No labels',
    buckets: BUCKETS,
    registers,
  });
  for (const model of ['llama', TRICKY]) {
    const labels = { namespace: 'ns', component: 'comp', endpoint: 'ep', zone: 'z"1', model };
    for (const v of [0.0005, 0.3, 0.3, 2, 5000, 0.1]) {
      latency.labels(model).observe(v);
      pcLatency.labels(labels).observe(v);
      single.observe(v / 3);
      pcSingle.observe(v / 3);
    }
  }
  return { runtime, registry };
}

/**
 * One histogram family with `series` series, one per endpoint (plain metrics, so no series
 * budget of variable labels applies).
 */
function bigFamily(series: number) {
  const runtime = new DistributedRuntime();
  const component = runtime.namespace('ns').component('big');
  const bound: HistogramSeries[] = [];
  for (let i = 0; i < series; i++) {
    const s = component.endpoint(`series_${i}`).createHistogram('big_seconds', 'Many series');
    s.observe((i % 50) / 10);
    bound.push(s);
  }
  return { runtime, bound };
}

describe('the exposition renderer', () => {
  for (const contentType of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE]) {
    it(`writes byte for byte what prom-client writes (${contentType.split(';')[0]})`, async () => {
      const { runtime, registry } = sameContent(contentType);
      const ours = await runtime.prometheusMetricsFmt(contentType);
      assert.equal(ours, await registry.metrics());
      // Escaped once, by the text format's rules; infinities and large numbers as prom-client.
      assert.match(ours, /kind="back\\\\slash \\"quoted\\"\\nnext line, ünïcödé ✓"/);
      assert.match(ours, /^dynamo_levels\{v="1"\} 1e\+21$/m);
      assert.match(ours, /^dynamo_levels\{v="2"\} 9007199254740994$/m);
      assert.match(ours, /^dynamo_levels\{v="6"\} 0$/m);
      assert.match(ours, /_total\{kind="back.*,a=""\} 1e\+308$/m);
      // The parts are the same bytes.
      const parts = await partsOf(runtime, contentType);
      assert.equal(Buffer.concat(parts).toString('utf8'), ours);
    });
  }

  it('passes promtool (Prometheus text; OpenMetrics is checked against prom-client above)', async (t) => {
    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    const { runtime } = sameContent(PROMETHEUS_CONTENT_TYPE);
    const { status, output } = promtoolCheckMetrics(promtool, await runtime.prometheusMetricsFmt());
    // Exit 3 is lint findings; the only one is the counter named without _total on purpose.
    assert.equal(status, 3, output);
    assert.equal(output, 'dynamo_plain_events counter metrics should have "_total" suffix');
  });

  it('gives the event loop back while one large family is written', async () => {
    const { runtime } = bigFamily(20_000);
    const { turns, result: parts } = await turnsDuring(() => partsOf(runtime));
    // 20,000 histogram series are ~3 MB: many 1 ms slices on any machine, and many parts.
    assert.ok(turns >= 3, `only ${turns} turns of the event loop during the render`);
    assert.ok(parts.length > 4, `${parts.length} parts`);
    assert.ok(parts.every((p) => p.length <= 256 * 1024));
  });

  it('shows each family as it was when its rendering began', async () => {
    const { runtime, bound } = bigFamily(20_000);
    const last = bound[bound.length - 1]!;
    const before = last.count;
    // Runs between two slices, while the family is being written.
    setImmediate(() => last.observe(1));
    const text = await runtime.prometheusMetricsFmt();
    const line = (count: number) =>
      new RegExp(
        `^dynamo_big_seconds_count\\{namespace="ns",component="big",endpoint="series_19999"\\} ${count}$`,
        'm',
      );
    assert.match(text, line(before));
    assert.equal(last.count, before + 1);
    assert.match(await runtime.prometheusMetricsFmt(), line(before + 1));
  });

  it('shows a series reset or observed with an exemplar mid-render as it was, until the next scrape', async () => {
    const { runtime, bound } = bigFamily(20_000);
    const last = bound[bound.length - 1]!;
    const countLine = (count: number) =>
      new RegExp(`^dynamo_big_seconds_count\\{[^}]*endpoint="series_19999"\\} ${count}$`, 'm');
    const before = last.count;
    setImmediate(() => {
      last.reset();
      last.observe(0.2, { trace_id: 'later' });
    });
    const during = await runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
    assert.match(during, countLine(before));
    // Its exemplar is newer than the state shown: not written with it.
    assert.ok(!during.includes('trace_id="later"'), 'an exemplar from after the render began');
    const after = await runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
    assert.match(after, countLine(1));
    assert.ok(after.includes('{trace_id="later"} 0.2 '), 'the exemplar, one scrape later');
  });

  it('shows one instant to scrapes of both formats rendering at once', async () => {
    const { runtime, bound } = bigFamily(20_000);
    const last = bound[bound.length - 1]!;
    const before = last.count;
    const line = new RegExp(
      `^dynamo_big_seconds_count\\{[^}]*endpoint="series_19999"\\} (\\d+)$`,
      'm',
    );
    const first = runtime.prometheusMetricsFmt(PROMETHEUS_CONTENT_TYPE);
    // Starts after the first render began and before it ends; the series changes in between.
    const second = new Promise<string>((resolve) =>
      setImmediate(() => {
        last.observe(1);
        resolve(runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE));
      }),
    );
    const [prom, open] = await Promise.all([first, second]);
    assert.equal(prom.match(line)?.[1], String(before));
    // The second joined the first one's instant: the same count, consistent with its buckets.
    assert.equal(open.match(line)?.[1], String(before));
    assert.equal((await runtime.prometheusMetricsFmt()).match(line)?.[1], String(before + 1));
    // Each output is consistent within the series too: its +Inf bucket is its count.
    for (const text of [prom, open]) {
      const inf = text.match(
        /^dynamo_big_seconds_bucket\{le="\+Inf",[^}]*endpoint="series_19999"\} (\d+)$/m,
      );
      assert.equal(inf?.[1], String(before));
    }
  });

  it('lets concurrent scrapes of one format and level share one render', async () => {
    const { runtime } = bigFamily(2_000);
    const [a, b] = await Promise.all([partsOf(runtime), partsOf(runtime)]);
    assert.equal(a, b);
    const [prom, open] = await Promise.all([
      partsOf(runtime, PROMETHEUS_CONTENT_TYPE),
      partsOf(runtime, OPENMETRICS_CONTENT_TYPE),
    ]);
    assert.notEqual(prom, open);
    // Once finished, the next scrape renders afresh.
    assert.notEqual(await partsOf(runtime), a);
    assert.deepEqual(Buffer.concat(await partsOf(runtime)), Buffer.concat(a));
  });
});
