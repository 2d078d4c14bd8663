import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DistributedRuntime, DynamoMetricsError, traceExemplar } from '../../src';
import {
  promtoolCheckMetrics,
  requireBinary,
  requirePythonPrometheusClient,
} from '../support/binaries';
import { OPENMETRICS_TYPE } from '../support/content-types';
import { sleep } from '../support/net';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

/** The exemplar written after one bucket line, or undefined. */
function exemplarOf(text: string, le: string): string | undefined {
  const line = text.split('\n').find((l) => l.includes(`_bucket{le="${le}"`));
  assert.ok(line, `no bucket le="${le}" in:\n${text}`);
  const at = line.indexOf(' # ');
  return at < 0 ? undefined : line.slice(at + 3);
}

function latency() {
  const runtime = new DistributedRuntime();
  const histogram = runtime.namespace('ns').createHistogram('lat_seconds', 'Latency');
  return { runtime, histogram };
}

describe('exemplars on histograms', () => {
  it('are written after the bucket the value fell in, in OpenMetrics only', async () => {
    const { runtime, histogram } = latency();
    histogram.observe(0.07, traceExemplar(TRACE, SPAN));
    histogram.observe(0.02);
    const open = await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE);
    const ex = exemplarOf(open, '0.1');
    assert.match(
      ex!,
      new RegExp(`^\\{trace_id="${TRACE}",span_id="${SPAN}"\\} 0\\.07 \\d+(\\.\\d+)?$`),
    );
    assert.equal(exemplarOf(open, '0.025'), undefined, 'an observation without exemplar has none');
    assert.equal(exemplarOf(open, '0.25'), undefined, 'exemplars belong to one bucket only');
    const text = await runtime.prometheusMetricsFmt();
    assert.ok(!text.includes(' # {'), `the text format cannot carry exemplars:\n${text}`);
  });

  it('keep the most recent exemplar per bucket, with its timestamp', async () => {
    const { runtime, histogram } = latency();
    const before = Date.now() / 1000;
    histogram.observe(0.06, { trace_id: 'first' });
    histogram.observe(0.08, { trace_id: 'second' });
    const ex = exemplarOf(await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE), '0.1')!;
    const [labels, value, ts] = ex.split(' ');
    assert.equal(labels, '{trace_id="second"}');
    assert.equal(value, '0.08');
    assert.ok(Number(ts) >= Math.floor(before) && Number(ts) <= Date.now() / 1000 + 1);
  });

  it('carry the time of the observation, not of the scrape', async () => {
    const { runtime, histogram } = latency();
    const observedAt = Date.now();
    histogram.observe(0.06, { trace_id: 'early' });
    await sleep(400);
    const ts = Number(
      exemplarOf(await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE), '0.1')!.split(' ')[2],
    );
    // Millisecond precision, and 400 ms older than the scrape.
    assert.ok(
      Math.abs(ts * 1000 - observedAt) < 50,
      `exemplar at ${ts}, observed at ${observedAt}`,
    );
    assert.match(String(ts), /^\d+(\.\d{1,3})?$/);
  });

  it("take the timer's exemplar", async () => {
    const { runtime, histogram } = latency();
    const seconds = histogram.startTimer()({ trace_id: TRACE });
    const text = await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE);
    const le = text
      .split('\n')
      .find((l) => l.includes(`trace_id="${TRACE}"`))
      ?.match(/le="([^"]+)"/)?.[1];
    assert.ok(le !== undefined && seconds <= Number(le), `exemplar in bucket ${le} for ${seconds}`);
  });

  it('are forgotten by reset()', async () => {
    const { runtime, histogram } = latency();
    histogram.observe(0.07, { trace_id: TRACE });
    histogram.reset();
    assert.ok(!(await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE)).includes(TRACE));
  });

  it('escape label values', async () => {
    const { runtime, histogram } = latency();
    histogram.observe(0.07, { trace_id: 'a"b\\c\nd' });
    assert.equal(
      exemplarOf(await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE), '0.1')?.split('} ')[0],
      '{trace_id="a\\"b\\\\c\\nd"',
    );
  });

  it('refuse bad labels with a clear error, and record nothing for the call', () => {
    const { histogram } = latency();
    const bad: Array<[unknown, RegExp]> = [
      ['abc', /plain object of string labels/],
      [{ trace_id: 42 }, /plain object of string labels/],
      [{ 'bad-name': 'x' }, /plain object of string labels/],
      [{}, /plain object of string labels/],
      [{ trace_id: 'x'.repeat(121) }, /129 characters; OpenMetrics allows at most 128/],
    ];
    for (const [labels, message] of bad) {
      assert.throws(
        () => histogram.observe(0.1, labels as never),
        (err: unknown) => err instanceof DynamoMetricsError && message.test(err.message),
        JSON.stringify(labels),
      );
    }
    // A 128-character set is the limit, and accepted.
    histogram.observe(0.1, { trace_id: 'x'.repeat(120) });
  });

  it('traceExemplar() accepts W3C ids only', () => {
    assert.equal(traceExemplar('not-hex'), undefined);
    assert.equal(traceExemplar(TRACE.slice(1)), undefined);
    assert.equal(traceExemplar(TRACE, 'zz')?.text, `{trace_id="${TRACE}"}`);
    assert.equal(traceExemplar(TRACE, SPAN)?.text, `{trace_id="${TRACE}",span_id="${SPAN}"}`);
  });

  it('pass promtool and an independent OpenMetrics parser', async (t) => {
    const { runtime, histogram } = latency();
    for (let i = 0; i < 20; i++) histogram.observe(i / 10, traceExemplar(TRACE, SPAN));
    const open = await runtime.prometheusMetricsFmt(OPENMETRICS_TYPE);
    // promtool 2.42 lints the text format only (it cannot parse OpenMetrics): the output of
    // the same histogram, with its exemplars recorded, stays clean there.
    const promtool = requireBinary(t, 'promtool');
    if (promtool) {
      const lint = promtoolCheckMetrics(promtool, await runtime.prometheusMetricsFmt());
      assert.equal(lint.status, 0, lint.output);
    }
    const python = requirePythonPrometheusClient(t);
    if (!python) return;
    const parsed = spawnSync(
      python,
      [
        '-c',
        [
          'import sys',
          'from prometheus_client.openmetrics.parser import text_string_to_metric_families',
          'n = 0',
          'for f in text_string_to_metric_families(sys.stdin.read()):',
          '    for s in f.samples:',
          '        if s.exemplar: n += 1; assert s.exemplar.labels["trace_id"] == sys.argv[1]',
          'print(n)',
        ].join('\n'),
        TRACE,
      ],
      { input: open, encoding: 'utf8' },
    );
    assert.equal(parsed.status, 0, parsed.stderr);
    // 0.0..1.9 land in buckets 0.005 (0), 0.1, 0.25, 0.5, 1, 2.5: one exemplar each.
    assert.equal(parsed.stdout.trim(), '6');
  });
});
