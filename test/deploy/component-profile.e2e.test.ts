import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../support/binaries';
import { postJson } from '../support/http-client';
import { DYNAMO_REFERENCE as REFERENCE } from '../support/dynamo-exposition';
import { poll } from '../support/poll';
import {
  fastScrapeConfig,
  PrometheusServer,
  PromSample,
  startPrometheus,
} from '../support/prometheus-server';
import {
  REPO_ROOT,
  runSampleLoad,
  SampleProcess,
  startSample,
  sumOf,
} from '../support/sample-process';

/**
 * The `component` naming profile against today's Dynamo tools: the sample runs with
 * DYN_METRICS_NAMING=component under its own load, a real Prometheus scrapes it, and then
 *  - every query of deploy/grafana/dashboards/dynamo-component.json returns data;
 *  - our equivalents of the Overview, Frontend and Workers panels of Dynamo's dashboard
 *    (test/deploy/dynamo-reference-queries.json) return data for `$model` = the sample's model;
 *  - the planner's queries give a positive average TTFT, ITL, duration, ISL, OSL and a positive
 *    request count for that model and namespace, selected the way the planner selects them.
 */

const DEPLOY = join(REPO_ROOT, 'deploy');
const DASHBOARDS = join(DEPLOY, 'grafana', 'dashboards');
const MODEL = 'llama-3-8b';
const NAMESPACE = 'dynamo';

interface DashboardQuery {
  panel: string;
  panelId: number;
  refId: string;
  expr: string;
}
const { dashboardQueries } = require(join(DEPLOY, 'dashboard-queries.js')) as {
  dashboardQueries(dir: string, options?: { files?: string[] }): DashboardQuery[];
};
const { convertDashboard } = require(join(DEPLOY, 'convert-dashboard.js')) as {
  convertDashboard(d: unknown, to: 'classic' | 'component'): unknown;
};

const substitute = (expr: string, vars: Record<string, string>) =>
  expr.replace(/\$(\w+)/g, (m, name: string) => {
    assert.ok(name in vars, `unknown variable ${m} in ${expr}`);
    return vars[name]!;
  });

type Panel = { id: number; targets?: Array<{ refId: string; expr: string }> };
const exprsById = (dash: { panels: Panel[] }) =>
  new Map(dash.panels.flatMap((p) => (p.targets ?? []).map((t) => [`${p.id}/${t.refId}`, t.expr])));

describe('deploy/convert-dashboard.js', () => {
  const classic = JSON.parse(readFileSync(join(DASHBOARDS, 'dynamo-nestjs.json'), 'utf8'));
  const component = JSON.parse(readFileSync(join(DASHBOARDS, 'dynamo-component.json'), 'utf8'));

  it('dynamo-component.json holds every classic panel, converted (the two stay in step)', () => {
    const converted = exprsById(convertDashboard(structuredClone(classic), 'component') as never);
    const ours = exprsById(component);
    assert.ok(converted.size >= 30);
    for (const [key, expr] of converted) assert.equal(ours.get(key), expr, key);
  });

  it('converting to component and back gives the classic dashboard again', () => {
    const there = convertDashboard(structuredClone(classic), 'component');
    assert.deepEqual(convertDashboard(there, 'classic'), classic);
  });

  it('frontend queries keep their own `endpoint` label; hierarchy queries rename theirs', () => {
    const converted = convertDashboard(structuredClone(classic), 'component') as never;
    const text = [...exprsById(converted).values()].join('\n');
    assert.match(text, /sum by \(model, endpoint\) \(rate\(dynamo_frontend_requests_total/);
    assert.match(text, /dynamo_component_inflight_requests\{dynamo_namespace=~/);
    assert.match(text, /max by \(dynamo_namespace, instance\) \(dynamo_component_uptime_seconds/);
    assert.doesNotMatch(text, /nv_llm_http_service_|dynamo_concurrent_requests|\bdynamo_requests/);
  });
});

describe('component profile: Dynamo dashboard and planner queries against a real Prometheus', () => {
  let app: SampleProcess | undefined;
  let prom: PrometheusServer | undefined;

  after(async () => {
    await Promise.all([prom?.stop(), app?.stop()]);
  });

  it('DYN_METRICS_NAMING=component under load: every query has data', async (t) => {
    const binary = requireBinary(t, 'prometheus');
    if (!binary) return;
    app = await startSample({
      platform: 'express',
      tokenDelayMs: 5,
      env: {
        DYN_METRICS_NAMING: 'component',
        SAMPLE_MODELS: 'Llama-3-8B,mistral-7b,qwen2-7b,sample-fail',
      },
    });
    const job = 'dynamo-component';
    prom = await startPrometheus(
      binary,
      fastScrapeConfig(
        [
          `  - job_name: ${job}`,
          '    metrics_path: /metrics',
          '    static_configs:',
          `      - targets: ["127.0.0.1:${app.systemPort}"]`,
        ].join('\n'),
      ),
    );
    const p = prom;
    await poll(
      () => `the first scrape of the sample\n${p.output()}`,
      async () => (await p.scalar(`up{job="${job}"}`)) === 1,
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const scrapes = async () => (await p.scalar(`count_over_time(up{job="${job}"}[1m])`)) ?? 0;
    const before = await scrapes();

    const load = await runSampleLoad(app!.appPort, { LOAD_REQUESTS: '150', LOAD_CONCURRENCY: '4' });
    assert.equal(load.code, 0, load.output);
    // Outcomes the load does not produce: a model not served, and a request the sample refuses.
    const unknown = await postJson(app.appPort, '/v1/completions', { model: 'nope', prompt: 'x' });
    assert.equal(unknown.status, 404, unknown.text);
    const many = await postJson(app.appPort, '/v1/completions', {
      model: MODEL,
      prompt: 'x',
      n: 2,
    });
    assert.equal(many.status, 501, many.text);

    const final = await poll(
      'the load to end in the app',
      async () => {
        const s = await app!.scrape();
        return sumOf(s, 'dynamo_component_inflight_requests') === 0 &&
          sumOf(s, 'dynamo_frontend_inflight_requests') === 0 &&
          sumOf(s, 'dynamo_frontend_queued_requests') === 0
          ? s
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    // load.ts: 150 requests, one in ten invalid (400), counted here as validation errors.
    const total = sumOf(final, 'dynamo_frontend_requests_total');
    assert.equal(total, 152, 'every request counted, refusals included');
    const byType = (error_type: string) =>
      sumOf(final, 'dynamo_frontend_requests_total', { status: 'error', error_type });
    assert.equal(byType('validation'), 15);
    assert.equal(byType('not_found'), 1);
    assert.equal(byType('not_implemented'), 1);
    assert.equal(byType('internal'), 15, 'sample-fail');
    assert.equal(byType('cancelled'), 15, 'clients that left mid-stream');
    assert.equal(sumOf(final, 'dynamo_frontend_disconnected_clients'), 15);
    assert.equal(
      sumOf(final, 'dynamo_component_cancellation_total', { dynamo_endpoint: 'generate' }),
      15,
    );
    // Every request that reached the backend, labelled with its (lower-cased) model.
    assert.equal(sumOf(final, 'dynamo_component_requests_total', { model: MODEL }) > 0, true);
    assert.equal(
      sumOf(final, 'dynamo_component_requests_total', { dynamo_endpoint: 'generate' }),
      135,
    );
    await poll(
      'Prometheus to hold the final counts, 4 scrapes after the load began',
      async () =>
        (await scrapes()) >= before + 4 &&
        (await p.scalar('sum(dynamo_frontend_requests_total)')) === total,
      { timeoutMs: 20_000, intervalMs: 200 },
    );

    const check = async (what: string, expr: string) => {
      const r = await p.query(expr);
      assert.equal(r.status, 'success', `${what}\n  ${expr}\n  ${r.errorType}: ${r.error}`);
      const result = r.data!.result as PromSample[];
      assert.ok(result.length > 0, `no data: ${what}\n  ${expr}`);
      assert.ok(
        result.some((x) => x.value[1] !== 'NaN'),
        `only NaN: ${what}\n  ${expr}`,
      );
      return result;
    };

    const ours = dashboardQueries(DASHBOARDS, { files: ['dynamo-component.json'] });
    assert.ok(ours.length >= 40, `${ours.length} queries`);
    for (const q of ours) {
      await t.test(`dynamo-component.json: ${q.panel} [${q.refId}]`, async () => {
        await check(q.panel, q.expr);
      });
    }

    const dash = JSON.parse(readFileSync(join(DASHBOARDS, 'dynamo-component.json'), 'utf8')) as {
      templating: { list: Array<{ name: string; definition?: string }> };
    };
    for (const v of dash.templating.list) {
      const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(v.definition ?? '');
      if (!m) continue;
      await t.test(`template variable $${v.name}: ${v.definition}`, async () => {
        const res = await fetch(
          `${p.url}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1]! })}`,
        );
        const body = (await res.json()) as { data: string[] };
        assert.ok(body.data.length > 0, `no values for $${v.name}`);
      });
    }

    const vars = { model: MODEL, __range: '5m', __rate_interval: '1m' };
    for (const q of REFERENCE.dashboard) {
      const expr = substitute(q.expr, vars);
      await t.test(`Dynamo dashboard ${q.row} / ${q.panel}: ${q.expr}`, async () => {
        await check(q.panel, expr);
      });
    }

    for (const q of REFERENCE.planner) {
      await t.test(`planner: ${q.name}`, async () => {
        const result = await check(q.name, substitute(q.expr, { interval: '60s' }));
        // As the planner selects: model compared lower-cased, and its own dynamo_namespace.
        const values = result
          .filter((x) => x.metric.model?.toLowerCase() === MODEL.toLowerCase())
          .filter((x) => x.metric.dynamo_namespace === NAMESPACE)
          .map((x) => Number(x.value[1]));
        assert.ok(values.length > 0, `no series for model ${MODEL}, namespace ${NAMESPACE}`);
        const value = q.sum
          ? values.reduce((a, b) => a + b, 0)
          : values.reduce((a, b) => a + b, 0) / values.length;
        assert.ok(value > 0, `${q.name}: ${value}`);
      });
    }
  });
});
