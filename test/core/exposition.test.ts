import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DistributedRuntime,
  negotiateContentType,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from '../../src/internal';
import { buildScenario } from '../support/scenario';

// ---- The expected exposition of buildScenario(), written out line by line. ----

const RESTARTS = ['dynamo_runtime_restarts_total{region="eu-west"} 2'];
const WORKERS = ['dynamo_runtime_workers 4'];
const QUEUE_MY_NS = 'dynamo_queue_depth{namespace="my_ns",pool="primary"} 1.5';
const QUEUE_OTHER = 'dynamo_queue_depth{namespace="other",pool="primary"} 9';
const REQUESTS = [
  'dynamo_component_requests_total{namespace="my_ns",component="backend",az="b",tier="gold",model="llama-3",status="ok"} 3',
  'dynamo_component_requests_total{namespace="my_ns",component="backend",az="b",tier="gold",model="gpt-4o",status="error"} 1',
];
const LATENCY = [
  'dynamo_endpoint_latency_seconds_bucket{le="0.1",namespace="my_ns",component="backend",endpoint="generate",gpu="a100"} 1',
  'dynamo_endpoint_latency_seconds_bucket{le="0.5",namespace="my_ns",component="backend",endpoint="generate",gpu="a100"} 2',
  'dynamo_endpoint_latency_seconds_bucket{le="1",namespace="my_ns",component="backend",endpoint="generate",gpu="a100"} 3',
  'dynamo_endpoint_latency_seconds_bucket{le="+Inf",namespace="my_ns",component="backend",endpoint="generate",gpu="a100"} 4',
  'dynamo_endpoint_latency_seconds_sum{namespace="my_ns",component="backend",endpoint="generate",gpu="a100"} 4.3125',
  'dynamo_endpoint_latency_seconds_count{namespace="my_ns",component="backend",endpoint="generate",gpu="a100"} 4',
];
const TOKENS_GENERATE = [
  'dynamo_endpoint_tokens_total{namespace="my_ns",component="backend",endpoint="generate",kind="input"} 7',
  'dynamo_endpoint_tokens_total{namespace="my_ns",component="backend",endpoint="generate",kind="output"} 11',
];
const TOKENS_EMBED = [
  'dynamo_endpoint_tokens_total{namespace="my_ns",component="backend",endpoint="embed",kind="input"} 2',
];
const EMBEDDINGS = [
  'dynamo_embeddings_total{namespace="my_ns",component="backend",endpoint="embed"} 5',
];
const ROUTES = ['dynamo_routes{namespace="my_ns",component="router"} 2'];

/** One family: HELP, TYPE and its sample lines. */
const fam = (name: string, help: string, type: string, samples: string[]): string =>
  [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples].join('\n');

const restarts = (family = 'dynamo_runtime_restarts_total') =>
  fam(family, 'Restarts of the runtime', 'counter', RESTARTS);
const workers = () =>
  fam('dynamo_runtime_workers', 'Worker processes of the runtime', 'gauge', WORKERS);
const queue = (samples: string[]) =>
  fam('dynamo_queue_depth', 'Requests waiting in the queue', 'gauge', samples);
const requests = (family = 'dynamo_component_requests_total') =>
  fam(family, 'Requests handled by the component', 'counter', REQUESTS);
const latency = () =>
  fam('dynamo_endpoint_latency_seconds', 'Latency of the endpoint', 'histogram', LATENCY);
const tokens = (samples: string[], family = 'dynamo_endpoint_tokens_total') =>
  fam(family, 'Tokens processed by the endpoint', 'counter', samples);
const embeddings = (family = 'dynamo_embeddings_total') =>
  fam(family, 'Embeddings computed', 'counter', EMBEDDINGS);
const routes = () => fam('dynamo_routes', 'Routes known to the router', 'gauge', ROUTES);

/** Prometheus text 0.0.4 as prom-client writes it: families separated by a blank line. */
const text = (...families: string[]) => `${families.join('\n\n')}\n`;
/** OpenMetrics 1.0: no blank lines, `# EOF` last. */
const openMetrics = (...families: string[]) => `${families.join('\n')}\n# EOF\n`;

const EXPECTED_RUNTIME_TEXT = text(
  restarts(),
  workers(),
  queue([QUEUE_MY_NS, QUEUE_OTHER]),
  requests(),
  latency(),
  tokens([...TOKENS_GENERATE, ...TOKENS_EMBED]),
  embeddings(),
  routes(),
);

describe('exposition of the four-level scenario', () => {
  it('runtime.prometheusMetricsFmt() returns exactly the expected text', async () => {
    const runtime = buildScenario();
    assert.equal(await runtime.prometheusMetricsFmt(), EXPECTED_RUNTIME_TEXT);
    // The explicit content type gives the same text as the default.
    assert.equal(
      await runtime.prometheusMetricsFmt(PROMETHEUS_CONTENT_TYPE),
      EXPECTED_RUNTIME_TEXT,
    );
  });

  it('the expected text is spelled out literally (sanity check of the helpers)', () => {
    assert.ok(
      EXPECTED_RUNTIME_TEXT.startsWith(
        '# HELP dynamo_runtime_restarts_total Restarts of the runtime\n' +
          '# TYPE dynamo_runtime_restarts_total counter\n' +
          'dynamo_runtime_restarts_total{region="eu-west"} 2\n' +
          '\n' +
          '# HELP dynamo_runtime_workers Worker processes of the runtime\n',
      ),
    );
    assert.ok(
      EXPECTED_RUNTIME_TEXT.endsWith(
        '\n\n# HELP dynamo_routes Routes known to the router\n' +
          '# TYPE dynamo_routes gauge\n' +
          'dynamo_routes{namespace="my_ns",component="router"} 2\n',
      ),
    );
    // 8 families, 33 lines, 7 blank separators, final newline.
    assert.equal(EXPECTED_RUNTIME_TEXT.split('\n').length, 41);
  });

  it('a namespace renders its own and its descendants’ metrics, not the runtime’s or a sibling’s', async () => {
    const runtime = buildScenario();
    assert.equal(
      await runtime.namespace('my-ns').prometheusMetricsFmt(),
      text(
        queue([QUEUE_MY_NS]),
        requests(),
        latency(),
        tokens([...TOKENS_GENERATE, ...TOKENS_EMBED]),
        embeddings(),
        routes(),
      ),
    );
    assert.equal(
      await runtime.namespace('other').prometheusMetricsFmt(),
      text(queue([QUEUE_OTHER])),
    );
  });

  it('a component renders its endpoints’ metrics but not the namespace’s or a sibling component’s', async () => {
    const runtime = buildScenario();
    const ns = runtime.namespace('my-ns');
    assert.equal(
      await ns.component('backend').prometheusMetricsFmt(),
      text(requests(), latency(), tokens([...TOKENS_GENERATE, ...TOKENS_EMBED]), embeddings()),
    );
    assert.equal(await ns.component('router').prometheusMetricsFmt(), text(routes()));
  });

  it('an endpoint renders only its own series: no component-level metrics, no sibling endpoint', async () => {
    const runtime = buildScenario();
    const backend = runtime.namespace('my-ns').component('backend');
    assert.equal(
      await backend.endpoint('generate').prometheusMetricsFmt(),
      text(latency(), tokens(TOKENS_GENERATE)),
    );
    assert.equal(
      await backend.endpoint('embed').prometheusMetricsFmt(),
      text(tokens(TOKENS_EMBED), embeddings()),
    );
  });

  it('a level without metrics renders nothing (text) or only # EOF (OpenMetrics)', async () => {
    const runtime = buildScenario();
    const idle = runtime.namespace('my-ns').component('idle');
    assert.equal(await idle.prometheusMetricsFmt(), '');
    assert.equal(
      await idle.endpoint('none').prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE),
      '# EOF\n',
    );
    assert.equal(await new DistributedRuntime().prometheusMetricsFmt(), '');
  });

  it('renders OpenMetrics: counter families without _total, samples with _total, # EOF last', async () => {
    const runtime = buildScenario();
    const om = await runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
    assert.equal(
      om,
      openMetrics(
        restarts('dynamo_runtime_restarts'),
        workers(),
        queue([QUEUE_MY_NS, QUEUE_OTHER]),
        requests('dynamo_component_requests'),
        latency(),
        tokens([...TOKENS_GENERATE, ...TOKENS_EMBED], 'dynamo_endpoint_tokens'),
        embeddings('dynamo_embeddings'),
        routes(),
      ),
    );
    assert.ok(om.endsWith('\n# EOF\n'));
    assert.equal(om.split('# EOF').length, 2, 'exactly one # EOF');
    assert.ok(!om.includes('\n\n'), 'OpenMetrics has no blank lines');
    assert.match(om, /^# TYPE dynamo_runtime_restarts counter$/m);
    assert.match(om, /^dynamo_runtime_restarts_total\{region="eu-west"\} 2$/m);
  });

  it('a sub-level renders OpenMetrics too', async () => {
    const runtime = buildScenario();
    const generate = runtime.namespace('my-ns').component('backend').endpoint('generate');
    assert.equal(
      await generate.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE),
      openMetrics(latency(), tokens(TOKENS_GENERATE, 'dynamo_endpoint_tokens')),
    );
  });

  it('rendering OpenMetrics does not change the later text output (counters keep _total)', async () => {
    const runtime = buildScenario();
    const before = await runtime.prometheusMetricsFmt();
    await runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
    await runtime.namespace('my-ns').prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
    await runtime
      .namespace('my-ns')
      .component('backend')
      .endpoint('embed')
      .prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE);
    const after = await runtime.prometheusMetricsFmt();
    assert.equal(before, EXPECTED_RUNTIME_TEXT);
    assert.equal(after, EXPECTED_RUNTIME_TEXT);
    assert.equal(
      await runtime
        .namespace('my-ns')
        .component('backend')
        .endpoint('embed')
        .prometheusMetricsFmt(),
      text(tokens(TOKENS_EMBED), embeddings()),
    );
    // And the OpenMetrics output is stable too (no double stripping of _total).
    assert.equal(
      await runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE),
      await runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE),
    );
    for (const family of runtime.metricFamilies()) {
      if (family.type === 'counter') assert.match(family.name, /_total$/);
    }
  });

  it('later updates show up in the next scrape', async () => {
    const runtime = buildScenario();
    await runtime.prometheusMetricsFmt();
    runtime.createIntGauge('runtime_workers', 'Worker processes of the runtime').set(6);
    const out = await runtime.prometheusMetricsFmt();
    assert.match(out, /^dynamo_runtime_workers 6$/m);
    assert.doesNotMatch(out, /^dynamo_runtime_workers 4$/m);
  });

  it('a histogram without buckets uses the default buckets', async () => {
    const runtime = new DistributedRuntime();
    runtime.createHistogram('wait_seconds', 'Waiting time').observe(0.3);
    const les = [
      ...(await runtime.prometheusMetricsFmt()).matchAll(/_bucket\{le="([^"]+)"\} (\d+)/g),
    ];
    assert.deepEqual(
      les.map((m) => m[1]),
      ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'],
    );
    assert.deepEqual(
      les.map((m) => Number(m[2])),
      [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    );
  });

  it('an unsupported content type is refused with the accepted ones named', async () => {
    const runtime = buildScenario();
    await assert.rejects(
      async () => runtime.prometheusMetricsFmt('text/html'),
      /Unsupported exposition content type "text\/html".*text\/plain; version=0\.0\.4.*application\/openmetrics-text; version=1\.0\.0/,
    );
  });

  it('accepts the content types its own error message recommends', async () => {
    const runtime = buildScenario();
    assert.equal(
      await runtime.prometheusMetricsFmt('text/plain; version=0.0.4'),
      EXPECTED_RUNTIME_TEXT,
    );
    assert.match(
      await runtime.prometheusMetricsFmt('application/openmetrics-text; version=1.0.0'),
      /# EOF\n$/,
    );
  });
});

describe('negotiateContentType', () => {
  const PROMETHEUS_2_ACCEPT =
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

  it('picks OpenMetrics for the Accept header Prometheus 2.x sends', () => {
    assert.equal(negotiateContentType(PROMETHEUS_2_ACCEPT), OPENMETRICS_CONTENT_TYPE);
    assert.equal(
      OPENMETRICS_CONTENT_TYPE,
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
  });

  it('picks OpenMetrics when the header arrives as an array of values', () => {
    assert.equal(negotiateContentType(PROMETHEUS_2_ACCEPT.split(',')), OPENMETRICS_CONTENT_TYPE);
  });

  it('picks the text format for text/plain, */*, an empty or missing header', () => {
    for (const accept of ['text/plain', 'text/plain;version=0.0.4', '*/*', '', undefined]) {
      assert.equal(negotiateContentType(accept), PROMETHEUS_CONTENT_TYPE, String(accept));
    }
    assert.equal(PROMETHEUS_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
  });

  it('a quoted parameter value is the same value (RFC 9110): version="1.0.0", q="0.5"', () => {
    assert.equal(
      negotiateContentType('application/openmetrics-text; version="1.0.0"'),
      OPENMETRICS_CONTENT_TYPE,
    );
    assert.equal(
      negotiateContentType('application/openmetrics-text;version="1.0.0";q="0.4",text/plain;q=0.5'),
      PROMETHEUS_CONTENT_TYPE,
    );
    assert.equal(
      negotiateContentType('application/openmetrics-text; version="0.0.1"'),
      PROMETHEUS_CONTENT_TYPE,
    );
  });

  it('respects q values: text preferred over OpenMetrics gives text', () => {
    assert.equal(
      negotiateContentType(
        'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5',
      ),
      PROMETHEUS_CONTENT_TYPE,
    );
    assert.equal(
      negotiateContentType('text/plain;q=0.2, application/openmetrics-text;q=0.8'),
      OPENMETRICS_CONTENT_TYPE,
    );
  });
});
