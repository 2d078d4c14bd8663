import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadPageModules, PageModules, Reading } from '../support/status-page';

/**
 * The status page's browser modules, run in Node on known exposition text: the parser
 * (escapes, special values), the PromQL-like arithmetic (rates, counter resets,
 * histogram_quantile) and the family finder, for both naming profiles and any prefix.
 */

let page: PageModules;
before(async () => {
  page = await loadPageModules();
});

const at = (seconds: number, text: string): Reading => ({
  t: seconds * 1000,
  scrape: page.parseExposition(text),
});

describe('status page: exposition parser', () => {
  it('unescapes label values and reads special values and TYPE lines', () => {
    const scrape = page.parseExposition(
      [
        '# HELP x_total A counter, with "quotes"',
        '# TYPE x_total counter',
        'x_total{model="a\\"b\\\\c\\nd",other="x,y=}{"} 3',
        'x_total{model="<script>alert(1)</script>"} 4 1700000000000',
        'g +Inf',
        'h -Inf',
        'plain 1.5e-3',
        '',
      ].join('\n'),
    );
    assert.equal(scrape.types.get('x_total'), 'counter');
    assert.deepEqual(scrape.samples.get('x_total'), [
      { labels: { model: 'a"b\\c\nd', other: 'x,y=}{' }, value: 3 },
      { labels: { model: '<script>alert(1)</script>' }, value: 4 },
    ]);
    assert.equal(scrape.samples.get('g')![0]!.value, Infinity);
    assert.equal(scrape.samples.get('h')![0]!.value, -Infinity);
    assert.equal(scrape.samples.get('plain')![0]!.value, 0.0015);
  });
});

describe('status page: histogram_quantile', () => {
  it('interpolates inside the bucket, as Prometheus does', () => {
    const buckets: Array<[number, number]> = [
      [0.1, 2],
      [0.5, 6],
      [1, 8],
      [Infinity, 10],
    ];
    // rank 5 of 10: in (0.1, 0.5], 3 of its 4 observations: 0.1 + 0.4 * 3/4
    assert.equal(page.quantile(0.5, buckets), 0.4);
    // rank 1 of 10: in the first bucket, from 0: 0.1 * 1/2
    assert.equal(page.quantile(0.1, buckets), 0.05);
    // rank 9.9: in +Inf, so the highest finite bound
    assert.equal(page.quantile(0.99, buckets), 1);
    assert.ok(
      Number.isNaN(
        page.quantile(0.5, [
          [1, 0],
          [Infinity, 0],
        ]),
      ),
    );
    // A first bound of 0 (the frontend's buckets) holds exactly-zero observations.
    assert.equal(
      page.quantile(0.5, [
        [0, 6],
        [1, 8],
        [Infinity, 10],
      ]),
      0,
    );
  });
});

const CLASSIC = (requests: number, inflight: number, errors: number, buckets: number[]) => `
# TYPE acme_requests_total counter
acme_requests_total{namespace="ns",component="backend",endpoint="generate"} ${requests}
acme_requests_total{namespace="ns",component="backend",endpoint="embed"} 1
# TYPE acme_concurrent_requests gauge
acme_concurrent_requests{namespace="ns",component="backend",endpoint="generate"} ${inflight}
acme_concurrent_requests{namespace="ns",component="backend",endpoint="embed"} 0
# TYPE acme_request_duration_seconds histogram
acme_request_duration_seconds_bucket{namespace="ns",component="backend",endpoint="generate",le="0.1"} ${buckets[0]}
acme_request_duration_seconds_bucket{namespace="ns",component="backend",endpoint="generate",le="1"} ${buckets[1]}
acme_request_duration_seconds_bucket{namespace="ns",component="backend",endpoint="generate",le="+Inf"} ${buckets[2]}
acme_request_duration_seconds_count{namespace="ns",component="backend",endpoint="generate"} ${buckets[2]}
acme_errors_total{namespace="ns",component="backend",endpoint="generate",error_type="handler_error"} ${errors}
acme_errors_total{namespace="ns",component="backend",endpoint="generate",error_type="cancelled"} 0
acme_custom_requests_total{namespace="ns",component="backend",endpoint="generate"} 999
acme_system_uptime_seconds{namespace="ns"} 42.5
# TYPE my_llm_requests_total counter
my_llm_requests_total{model="<b>m</b>",endpoint="chat_completions",request_type="stream",status="success"} ${requests}
my_llm_requests_total{model="<b>m</b>",endpoint="chat_completions",request_type="stream",status="error"} ${errors}
my_llm_inflight_requests{model="<b>m</b>"} ${inflight}
my_llm_output_sequence_tokens_sum{model="<b>m</b>"} ${requests * 10}
my_llm_time_to_first_token_seconds_bucket{model="<b>m</b>",le="0.1"} ${buckets[0]}
my_llm_time_to_first_token_seconds_bucket{model="<b>m</b>",le="1"} ${buckets[1]}
my_llm_time_to_first_token_seconds_bucket{model="<b>m</b>",le="+Inf"} ${buckets[2]}
my_llm_time_to_first_token_seconds_count{model="<b>m</b>"} ${buckets[2]}
`;

describe('status page: finding and deriving the families', () => {
  it('classic names with any prefix: totals, rates over the window, percentiles', () => {
    const past = at(100, CLASSIC(10, 0, 1, [2, 4, 4]));
    const now = at(104, CLASSIC(18, 3, 3, [6, 12, 12]));
    const families = page.findFamilies(now.scrape);
    assert.equal(families.worker?.stem, 'acme_');
    assert.equal(families.worker?.inflight, 'acme_concurrent_requests');
    assert.equal(families.frontend?.stem, 'my_llm_');
    assert.equal(families.frontend?.outputTokens, 'my_llm_output_sequence_tokens_sum');
    assert.equal(families.uptime, 'acme_system_uptime_seconds');

    const view = page.derive(now, past, families);
    assert.equal(view.uptime, 42.5);
    const generate = view.workers.find((w) => w.endpoint === 'generate')!;
    assert.equal(generate.requests, 18);
    assert.equal(generate.rate, 2); // (18 - 10) / 4 s
    assert.equal(generate.inflight, 3);
    assert.equal(generate.errorRate, 0.5); // (3 - 1) / 4 s
    assert.deepEqual(generate.errors, [
      { type: 'handler_error', rate: 0.5 },
      { type: 'cancelled', rate: 0 },
    ]);
    // Window: 4 in (0, 0.1], 4 in (0.1, 1]. p50: rank 4 -> 0.1; p99: rank 7.92 -> 0.1 + 0.9 * 3.92/4
    assert.equal(generate.p50, 0.1);
    assert.ok(Math.abs(generate.p99 - (0.1 + (0.9 * 3.92) / 4)) < 1e-12);

    const [model] = view.models;
    assert.equal(model!.model, '<b>m</b>');
    assert.equal(model!.requests, 21);
    assert.equal(model!.successRate, 2);
    assert.equal(model!.errorRate, 0.5);
    assert.equal(model!.inflight, 3);
    assert.equal(model!.tokenRate, 20); // (180 - 100) / 4 s
    assert.equal(model!.ttft[0], 0.1);
    assert.ok(Number.isNaN(model!.itl[0]), 'no ITL family: no figure, not a zero');
  });

  it('a counter that went down restarted from zero; no earlier scrape gives no rate', () => {
    const past = at(0, CLASSIC(50, 0, 0, [0, 0, 0]));
    const now = at(5, CLASSIC(10, 0, 0, [0, 0, 0]));
    const families = page.findFamilies(now.scrape);
    const generate = (p: Reading | undefined) =>
      page.derive(now, p, families).workers.find((w) => w.endpoint === 'generate')!;
    assert.equal(generate(past).rate, 2);
    assert.ok(Number.isNaN(generate(undefined).rate));
    assert.ok(Number.isNaN(generate(past).p50), 'no observations in the window');
  });

  it('the component profile: dynamo_component_* with dynamo_* labels, dynamo_frontend_*', () => {
    const text = (n: number) => `
dynamo_component_requests_total{dynamo_namespace="ns",dynamo_component="c",dynamo_endpoint="e"} ${n}
dynamo_component_inflight_requests{dynamo_namespace="ns",dynamo_component="c",dynamo_endpoint="e"} 2
dynamo_component_request_duration_seconds_count{dynamo_namespace="ns",dynamo_component="c",dynamo_endpoint="e"} ${n}
dynamo_component_errors_total{dynamo_namespace="ns",dynamo_component="c",dynamo_endpoint="e",error_type="cancelled"} 1
dynamo_frontend_requests_total{dynamo_namespace="ns",model="m",endpoint="chat_completions",request_type="unary",status="success"} ${n}
dynamo_frontend_inflight_requests{dynamo_namespace="ns",model="m"} 1
dynamo_frontend_output_tokens_total{dynamo_namespace="ns",model="m"} ${n * 3}
dynamo_frontend_output_sequence_tokens_sum{dynamo_namespace="ns",model="m"} 12345
`;
    const now = at(2, text(8));
    const families = page.findFamilies(now.scrape, { worker: 'dynamo_', frontend: 'nope_' });
    assert.equal(
      families.worker?.stem,
      'dynamo_component_',
      'a hint that matches nothing is ignored',
    );
    assert.equal(families.worker?.inflight, 'dynamo_component_inflight_requests');
    assert.equal(families.frontend?.stem, 'dynamo_frontend_');
    assert.equal(families.frontend?.outputTokens, 'dynamo_frontend_output_tokens_total');
    const view = page.derive(now, at(0, text(4)), families);
    assert.deepEqual(
      view.workers.map((w) => [
        w.namespace,
        w.component,
        w.endpoint,
        w.requests,
        w.rate,
        w.inflight,
      ]),
      [['ns', 'c', 'e', 8, 2, 2]],
    );
    assert.deepEqual(
      view.models.map((m) => [m.model, m.requests, m.successRate, m.errorRate, m.tokenRate]),
      [['m', 8, 2, 0, 6]],
    );
  });

  it('the frontend and the hierarchy under one name are told apart by their labels', () => {
    // DYN_METRICS_PREFIX=dynamo renames the frontend family onto the hierarchy's names.
    const now = at(
      1,
      `
dynamo_requests_total{namespace="ns",component="c",endpoint="e"} 5
dynamo_request_duration_seconds_count{namespace="ns",component="c",endpoint="e"} 5
dynamo_requests_total{model="m",endpoint="chat_completions",request_type="unary",status="success"} 7
dynamo_inflight_requests{model="m"} 0
`,
    );
    const families = page.findFamilies(now.scrape);
    const view = page.derive(now, undefined, families);
    assert.deepEqual(
      view.workers.map((w) => w.requests),
      [5],
    );
    assert.deepEqual(
      view.models.map((m) => [m.model, m.requests]),
      [['m', 7]],
    );
  });

  it('a scrape without these families finds nothing (the page says so)', () => {
    const families = page.findFamilies(page.parseExposition('other_total 1\n'));
    assert.deepEqual(families, { uptime: undefined, worker: undefined, frontend: undefined });
  });
});
