import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DistributedRuntime, WORKER_ERROR_TYPES, WorkerMetrics } from '../../src/internal';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
import { buildScenario } from '../support/scenario';

const LABELS = 'namespace="dynamo",component="backend",endpoint="generate"';
const DEFAULT_LES = [
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.1',
  '0.25',
  '0.5',
  '1',
  '2.5',
  '5',
  '10',
  '+Inf',
];

/** Worker-metrics exposition with the given values (duration buckets all at `durationCount`). */
function workerText(v: {
  requests: number;
  concurrent: number;
  durationSum: string;
  durationBuckets: number[];
  durationCount: number;
  requestBytes: number;
  responseBytes: number;
  errors: Record<string, number>;
}): string {
  return [
    '# HELP dynamo_requests_total Total number of requests started by the endpoint handler',
    '# TYPE dynamo_requests_total counter',
    `dynamo_requests_total{${LABELS}} ${v.requests}`,
    '',
    '# HELP dynamo_concurrent_requests Number of requests the endpoint handler is processing now',
    '# TYPE dynamo_concurrent_requests gauge',
    `dynamo_concurrent_requests{${LABELS}} ${v.concurrent}`,
    '',
    '# HELP dynamo_request_duration_seconds Time from request entry until the response is complete (for streams: until the stream ends)',
    '# TYPE dynamo_request_duration_seconds histogram',
    ...DEFAULT_LES.map(
      (le, i) =>
        `dynamo_request_duration_seconds_bucket{le="${le}",${LABELS}} ${v.durationBuckets[i]}`,
    ),
    `dynamo_request_duration_seconds_sum{${LABELS}} ${v.durationSum}`,
    `dynamo_request_duration_seconds_count{${LABELS}} ${v.durationCount}`,
    '',
    '# HELP dynamo_request_bytes_total Total bytes of request payload received by the endpoint',
    '# TYPE dynamo_request_bytes_total counter',
    `dynamo_request_bytes_total{${LABELS}} ${v.requestBytes}`,
    '',
    '# HELP dynamo_response_bytes_total Total bytes of response payload sent by the endpoint',
    '# TYPE dynamo_response_bytes_total counter',
    `dynamo_response_bytes_total{${LABELS}} ${v.responseBytes}`,
    '',
    '# HELP dynamo_errors_total Total number of failed requests, by error type',
    '# TYPE dynamo_errors_total counter',
    ...['client_error', 'handler_error', 'stream_error', 'cancelled'].map(
      (type) => `dynamo_errors_total{${LABELS},error_type="${type}"} ${v.errors[type]}`,
    ),
    '',
  ].join('\n');
}

describe('promtool check metrics', () => {
  it('accepts the runtime output of the exposition scenario, and every level’s output', async (t) => {
    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    const runtime = buildScenario();
    const ns = runtime.namespace('my-ns');
    const backend = ns.component('backend');
    for (const level of [
      runtime,
      ns,
      backend,
      backend.endpoint('generate'),
      backend.endpoint('embed'),
    ]) {
      const text = await level.prometheusMetricsFmt();
      assert.ok(text.length > 0);
      assert.deepEqual(
        promtoolCheckMetrics(promtool, text),
        { status: 0, output: '' },
        level.levelName,
      );
    }
  });

  it('is a real check: it reports a counter without _total', (t) => {
    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    const result = promtoolCheckMetrics(promtool, '# HELP foo Foo\n# TYPE foo counter\nfoo 1\n');
    assert.notEqual(result.status, 0);
    assert.match(result.output, /_total/);
  });

  it('accepts label values that need escaping', async (t) => {
    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    const runtime = new DistributedRuntime();
    const vec = runtime.createCounterVec('escape_total', 'Escaping "help" \\ text', ['value'], {
      note: 'const "q" \\ \n',
    });
    for (const value of ['say "hi"', 'C:\\dir\\', 'a\nb', 'a,b=c', 'ünï 日本 🎉', '}{', '']) {
      vec.labels(value).inc();
    }
    assert.deepEqual(promtoolCheckMetrics(promtool, await runtime.prometheusMetricsFmt()), {
      status: 0,
      output: '',
    });
  });
});

describe('WorkerMetrics', () => {
  it('exports every worker series at 0 before the first call, all four error types included', async (t) => {
    const runtime = new DistributedRuntime();
    new WorkerMetrics(runtime.namespace('dynamo').component('backend').endpoint('generate'));
    const text = await runtime.prometheusMetricsFmt();
    assert.equal(
      text,
      workerText({
        requests: 0,
        concurrent: 0,
        durationSum: '0',
        durationBuckets: DEFAULT_LES.map(() => 0),
        durationCount: 0,
        requestBytes: 0,
        responseBytes: 0,
        errors: { client_error: 0, handler_error: 0, stream_error: 0, cancelled: 0 },
      }),
    );
    assert.deepEqual(
      [...WORKER_ERROR_TYPES],
      ['client_error', 'handler_error', 'stream_error', 'cancelled'],
    );
    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    assert.deepEqual(promtoolCheckMetrics(promtool, text), { status: 0, output: '' });
  });

  it('start()/end() record requests, concurrency, duration, bytes and errors by type', async (t) => {
    const runtime = new DistributedRuntime();
    const endpoint = runtime.namespace('dynamo').component('backend').endpoint('generate');
    const wm = new WorkerMetrics(endpoint);

    const began = performance.now();
    const t1 = wm.start();
    const t2 = wm.start();
    // Counted at entry, in progress now.
    let text = await runtime.prometheusMetricsFmt();
    assert.match(text, new RegExp(`^dynamo_requests_total\\{${LABELS}\\} 2$`, 'm'));
    assert.match(text, new RegExp(`^dynamo_concurrent_requests\\{${LABELS}\\} 2$`, 'm'));
    assert.match(text, new RegExp(`^dynamo_request_duration_seconds_count\\{${LABELS}\\} 0$`, 'm'));

    wm.end(t1, 100, 250);
    wm.end(t2, 10, 0, 'handler_error');
    wm.end(wm.start(), 0, 0, 'cancelled');
    wm.end(wm.start(), 7, 0, 'client_error');
    wm.end(wm.start(), 0, 3, 'handler_error');

    text = await runtime.prometheusMetricsFmt();
    // Five calls, each inside the time this test has measured since `began`.
    const elapsed = (performance.now() - began) / 1000;
    const sum = wm.duration.sum;
    assert.ok(sum > 0 && sum <= 5 * elapsed, `duration sum ${sum} s, elapsed ${elapsed} s`);
    const snapshot = wm.duration.get();
    assert.equal(snapshot.count, 5);
    assert.equal(snapshot.buckets['+Inf'], 5);
    assert.deepEqual(Object.keys(snapshot.buckets).sort(), [...DEFAULT_LES].sort());
    assert.equal(
      text,
      workerText({
        requests: 5,
        concurrent: 0,
        durationSum: String(sum),
        // Bucket placement depends on timing; the cumulative counts must match the series.
        durationBuckets: DEFAULT_LES.map((le) => snapshot.buckets[le]!),
        durationCount: 5,
        requestBytes: 117,
        responseBytes: 253,
        errors: { client_error: 1, handler_error: 2, stream_error: 0, cancelled: 1 },
      }),
    );
    assert.equal(wm.concurrent.get(), 0);

    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    assert.deepEqual(promtoolCheckMetrics(promtool, text), { status: 0, output: '' });
  });

  it('creating WorkerMetrics again for an endpoint reuses its series (hot reload)', () => {
    const endpoint = new DistributedRuntime()
      .namespace('dynamo')
      .component('backend')
      .endpoint('generate');
    const a = new WorkerMetrics(endpoint);
    const b = new WorkerMetrics(endpoint);
    assert.equal(b.requests, a.requests);
    assert.equal(b.duration, a.duration);
    assert.equal(b.errors.stream_error, a.errors.stream_error);
    a.start();
    assert.equal(b.requests.get(), 1);
  });

  it('two endpoints share each worker family with a series each, and promtool accepts it', async (t) => {
    const runtime = new DistributedRuntime();
    const backend = runtime.namespace('dynamo').component('backend');
    const gen = new WorkerMetrics(backend.endpoint('generate'));
    const emb = new WorkerMetrics(
      runtime.namespace('dynamo').component('backend').endpoint('embed'),
    );
    gen.end(gen.start(), 1, 1);
    emb.end(emb.start(), 1, 1, 'stream_error');
    emb.start();

    const text = await runtime.prometheusMetricsFmt();
    assert.equal(text.match(/^# TYPE dynamo_requests_total counter$/gm)?.length, 1);
    assert.match(
      text,
      /^dynamo_requests_total\{namespace="dynamo",component="backend",endpoint="generate"\} 1$/m,
    );
    assert.match(
      text,
      /^dynamo_requests_total\{namespace="dynamo",component="backend",endpoint="embed"\} 2$/m,
    );
    assert.match(
      text,
      /^dynamo_concurrent_requests\{namespace="dynamo",component="backend",endpoint="generate"\} 0$/m,
    );
    assert.match(
      text,
      /^dynamo_concurrent_requests\{namespace="dynamo",component="backend",endpoint="embed"\} 1$/m,
    );
    assert.match(
      text,
      /^dynamo_errors_total\{namespace="dynamo",component="backend",endpoint="embed",error_type="stream_error"\} 1$/m,
    );
    assert.match(
      text,
      /^dynamo_errors_total\{namespace="dynamo",component="backend",endpoint="generate",error_type="stream_error"\} 0$/m,
    );
    // The generate endpoint's own view has only its own series.
    const own = await backend.endpoint('generate').prometheusMetricsFmt();
    assert.doesNotMatch(own, /endpoint="embed"/);
    assert.equal(own.match(/^dynamo_errors_total\{/gm)?.length, 4);

    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    assert.deepEqual(promtoolCheckMetrics(promtool, text), { status: 0, output: '' });
  });
});
