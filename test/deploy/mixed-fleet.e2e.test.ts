import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { requireBinary } from '../support/binaries';
import {
  bucketOf,
  DYNAMO_LE,
  DynamoHistogram,
  dynamoFrontendExposition,
  dynamoLe,
  DYNAMO_REFERENCE as REFERENCE,
  exactQuantile,
} from '../support/dynamo-exposition';
import { postJson } from '../support/http-client';
import { freePort } from '../support/net';
import { poll } from '../support/poll';
import { fastScrapeConfig, PrometheusServer, startPrometheus } from '../support/prometheus-server';
import { runSampleLoad, SampleProcess, startSample, sumOf } from '../support/sample-process';

/**
 * A mixed fleet: one Prometheus scrapes the sample (`component` profile) and a frontend written
 * the way today's Dynamo writes it, both serving the same model. Because the bucket bounds are
 * the same strings, `sum by (le)` adds them bucket by bucket: the quantile of the sum is the
 * quantile of the merged observations (within one bucket), and the dashboard's and planner's
 * queries read both frontends.
 */

const MODEL = 'mixed-model';
const NAMESPACE = 'dynamo';
const SERVED = [MODEL, 'Llama-3-8B', 'mistral-7b', 'qwen2-7b', 'sample-fail'];
const FAULTS = ['sample-unavailable', 'sample-stall'];

/** What Dynamo's frontend observed (static, deterministic). */
const DYNAMO_SIDE: Partial<Record<DynamoHistogram, number[]>> = {
  input_sequence_tokens: [120, 450, 900, 2500, 9000, 40000],
  output_sequence_tokens: [60, 300, 1200, 5000, 9000, 20000],
  time_to_first_token_seconds: [0.005, 0.05, 0.5, 5, 0.03, 0.3],
  inter_token_latency_seconds: [0.002, 0.02, 0.2, 0.01],
  request_duration_seconds: [3, 30, 300, 5, 7, 9],
};

/** What the sample is sent: prompt words (its ISL) and max_tokens (its OSL). */
const WARM_UP = { words: 3, tokens: 4, stream: false };
const BATCH = [
  { words: 5, tokens: 8, stream: false },
  { words: 50, tokens: 16, stream: true },
  { words: 150, tokens: 120, stream: false },
  { words: 700, tokens: 150, stream: true },
  { words: 1500, tokens: 200, stream: false },
];

/** A frontend that serves all-zero series until `publish()`, then the observations. */
async function staticDynamoFrontend(): Promise<{ port: number; publish(): void; server: Server }> {
  let text = dynamoFrontendExposition(MODEL, NAMESPACE, {}, 0);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const observations = DYNAMO_SIDE;
  const requests = observations.input_sequence_tokens!.length;
  return {
    port,
    server,
    publish: () => (text = dynamoFrontendExposition(MODEL, NAMESPACE, observations, requests)),
  };
}

const send = (port: number, r: (typeof BATCH)[number]) =>
  postJson(port, '/v1/completions', {
    model: MODEL,
    prompt: Array.from({ length: r.words }, (_, i) => `w${i}`).join(' '),
    max_tokens: r.tokens,
    stream: r.stream,
  });

describe('mixed fleet: the sample and a Dynamo frontend in one Prometheus', () => {
  let app: SampleProcess | undefined;
  let prom: PrometheusServer | undefined;
  let dynamo: Server | undefined;
  after(async () => {
    dynamo?.close();
    await Promise.all([prom?.stop(), app?.stop()]);
  });

  it('sum by (le) of both is the merged distribution; dashboard and planner read both', async (t) => {
    const binary = requireBinary(t, 'prometheus');
    if (!binary) return;
    app = await startSample({
      tokenDelayMs: 0,
      env: {
        DYN_METRICS_NAMING: 'component',
        SAMPLE_MODELS: [...SERVED, ...FAULTS].join(','),
        SAMPLE_FIRST_TOKEN_TIMEOUT_MS: '300',
      },
    });
    const frontend = await staticDynamoFrontend();
    dynamo = frontend.server;
    assert.equal((await send(app.appPort, WARM_UP)).status, 200);
    const target = (job: string, port: number) =>
      [
        `  - job_name: ${job}`,
        '    static_configs:',
        `      - targets: ["127.0.0.1:${port}"]`,
      ].join('\n');
    prom = await startPrometheus(
      binary,
      fastScrapeConfig(`${target('sample', app.systemPort!)}\n${target('dynamo', frontend.port)}`),
    );
    const p = prom;
    const scrapes = async (job: string) =>
      (await p.scalar(`count_over_time(up{job="${job}"}[5m])`)) ?? 0;
    await poll(
      () => `two scrapes of each target\n${p.output()}`,
      async () => (await scrapes('sample')) >= 2 && (await scrapes('dynamo')) >= 2,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // Now the traffic both frontends count from their baseline.
    for (const r of BATCH) assert.equal((await send(app.appPort, r)).status, 200);
    frontend.publish();
    const isl = [WARM_UP, ...BATCH].map((r) => r.words).concat(DYNAMO_SIDE.input_sequence_tokens!);
    const osl = [WARM_UP, ...BATCH]
      .map((r) => r.tokens)
      .concat(DYNAMO_SIDE.output_sequence_tokens!);
    const selector = `{model="${MODEL}"}`;
    const before = { sample: await scrapes('sample'), dynamo: await scrapes('dynamo') };
    await poll(
      'Prometheus to hold both frontends\u2019 final counts, then one more scrape each',
      async () =>
        (await p.scalar(`sum(dynamo_frontend_input_sequence_tokens_count${selector})`)) ===
          isl.length &&
        (await scrapes('sample')) >= before.sample + 2 &&
        (await scrapes('dynamo')) >= before.dynamo + 2,
      { timeoutMs: 20_000, intervalMs: 100 },
    );

    for (const h of Object.keys(DYNAMO_LE) as DynamoHistogram[]) {
      await t.test(
        `${h}: the same le strings on both, so each bucket sums two series`,
        async () => {
          const rows = await p.vector(`count by (le) (dynamo_frontend_${h}_bucket${selector})`);
          const got = Object.fromEntries(rows.map((r) => [r.metric.le!, Number(r.value[1])]));
          const expected = Object.fromEntries([...dynamoLe(h), '+Inf'].map((le) => [le, 2]));
          assert.deepEqual(got, expected);
        },
      );
    }

    const quantiles: Array<[string, number[]]> = [
      ['input_sequence_tokens', isl],
      ['output_sequence_tokens', osl],
    ];
    for (const [h, merged] of quantiles) {
      for (const q of [0.25, 0.5, 0.9, 0.99]) {
        await t.test(
          `${h}: histogram_quantile(${q}) of the sum is the merged quantile`,
          async () => {
            const expr = `histogram_quantile(${q}, sum by (le) (dynamo_frontend_${h}_bucket${selector}))`;
            const estimate = (await p.scalar(expr))!;
            const exact = exactQuantile(q, merged);
            const [lower, upper] = bucketOf(exact, dynamoLe(h as DynamoHistogram));
            assert.ok(
              estimate >= lower && estimate <= upper,
              `${expr} = ${estimate}; the merged observations' ${q}-quantile is ${exact}, in (${lower}, ${upper}]`,
            );
          },
        );
      }
    }

    const vars = (expr: string) =>
      expr
        .replaceAll('$model', MODEL)
        .replaceAll('$__range', '5m')
        .replaceAll('$__rate_interval', '1m');
    const sums = REFERENCE.dashboard.filter((q) =>
      /^sum\(increase\([a-z_]+\{model="\$model"\}\[\$__range\]\)\)$/.test(q.expr),
    );
    assert.ok(sums.length >= 3, sums.map((q) => q.panel).join(', '));
    for (const q of sums) {
      await t.test(`Dynamo dashboard ${q.panel}: both frontends, summed`, async () => {
        const only = (job: string) => `(${vars(q.expr.replace('{', `{job="${job}",`))})`;
        const [ours, theirs] = [await p.scalar(only('sample')), await p.scalar(only('dynamo'))];
        assert.ok(ours! > 0 && theirs! > 0, `${q.expr}: sample ${ours}, dynamo ${theirs}`);
        // One expression, so all three are evaluated at the same instant.
        const rest = await p.scalar(`${vars(q.expr)} - ${only('sample')} - ${only('dynamo')}`);
        assert.ok(Math.abs(rest!) < 1e-9, `${q.expr} minus its two parts: ${rest}`);
      });
    }
    for (const q of REFERENCE.planner) {
      await t.test(`planner ${q.name}: a series from each frontend`, async () => {
        const rows = (await p.vector(q.expr.replaceAll('$interval', '60s'))).filter(
          (r) => r.metric.model === MODEL && r.metric.dynamo_namespace === NAMESPACE,
        );
        const byJob = new Map<string, number>();
        for (const r of rows) {
          byJob.set(r.metric.job!, (byJob.get(r.metric.job!) ?? 0) + Number(r.value[1]));
        }
        assert.deepEqual([...byJob.keys()].sort(), ['dynamo', 'sample'], q.expr);
        for (const [job, v] of byJob) assert.ok(v > 0, `${q.name} ${job}: ${v}`);
      });
    }
  });

  it('LOAD_FAULTS=true drives unavailable and a first-token timeout into the sample', async () => {
    assert.ok(app, 'the sample of the previous test');
    const load = await runSampleLoad(app!.appPort, {
      LOAD_REQUESTS: '12',
      LOAD_CONCURRENCY: '4',
      LOAD_FAULTS: 'true',
    });
    assert.equal(load.code, 0, load.output);
    assert.match(load.output, /unavailable -> 503: 1/);
    const s = await poll(
      'the load to end in the app',
      async () => {
        const x = await app!.scrape();
        return sumOf(x, 'dynamo_frontend_inflight_requests') === 0 ? x : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const errors = (model: string, error_type: string) =>
      sumOf(s, 'dynamo_frontend_requests_total', { model, status: 'error', error_type });
    assert.equal(errors('sample-unavailable', 'unavailable'), 1);
    assert.equal(errors('sample-stall', 'first_token_timeout'), 1);
    assert.equal(sumOf(s, 'dynamo_frontend_model_context_length', { model: MODEL }), 8192);
    assert.equal(sumOf(s, 'dynamo_frontend_requests_started_total', { model: 'sample-stall' }), 1);
  });
});
