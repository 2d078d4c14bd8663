import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../support/binaries';
import { childEnv, killOnExit } from '../support/child-process';
import { poll } from '../support/poll';
import {
  fastScrapeConfig,
  PrometheusServer,
  PromSample,
  startPrometheus,
} from '../support/prometheus-server';
import { SAMPLE_LOAD, SampleProcess, startSample, sumOf } from '../support/sample-process';
import { DASHBOARDS, dashboardQueries, legends, where } from './dashboard-support';

/**
 * Against a real Prometheus scraping the sample app under the sample's own load generator, every
 * query of every panel of the main dashboard returns data. New panels are covered automatically.
 */

describe('deploy/: every dashboard query against a real Prometheus scraping the sample under load', () => {
  let app: SampleProcess | undefined;
  let prom: PrometheusServer | undefined;

  after(async () => {
    await Promise.all([prom?.stop(), app?.stop()]);
  });

  it('dynamo-nestjs.json: data for every query; gpu-dcgm.json: every query parses', async (t) => {
    const binary = requireBinary(t, 'prometheus');
    if (!binary) return;
    app = await startSample({ platform: 'express', tokenDelayMs: 5 });
    const job = 'dynamo-sample';
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
    const scrapes = async () => (await p.scalar(`count_over_time(up{job="${job}"}[1m])`)) ?? 0;
    // A scrape before the load, so every counter has a sample to rise from.
    await poll(
      () => `the first successful scrape of the sample app\n${p.output()}`,
      async () => (await p.scalar(`up{job="${job}"}`)) === 1,
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const before = await scrapes();

    // The sample's own load generator: unary, streams, sample-fail, aborts, invalid.
    const load = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [SAMPLE_LOAD], {
        env: childEnv({
          SAMPLE_URL: `http://127.0.0.1:${app!.appPort}`,
          LOAD_REQUESTS: '150',
          LOAD_CONCURRENCY: '4',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      killOnExit(child);
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
    assert.equal(load.code, 0, load.output);
    assert.match(load.output, /sent 150 requests/);
    t.diagnostic(load.output.trim().replace(/\n\s*/g, '; '));

    // Wait until Prometheus holds the final counts, with at least 4 scrapes since the load began.
    const final = await poll(
      'the load to end in the app',
      async () => {
        const s = await app!.scrape();
        return sumOf(s, 'dynamo_concurrent_requests') === 0 &&
          sumOf(s, 'nv_llm_http_service_inflight_requests') === 0
          ? s
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    // load.ts sends one invalid (400, not counted) request in every ten.
    assert.match(load.output, /invalid -> 400: 15/);
    const requests = sumOf(final, 'nv_llm_http_service_requests_total');
    assert.equal(requests, 135, 'frontend requests counted');
    assert.equal(sumOf(final, 'dynamo_requests_total', { endpoint: 'generate' }), 135);
    await poll(
      async () =>
        `4 scrapes with the load in them (scrapes in the last minute: ${await scrapes().catch(() => '?')}, ` +
        `before the load: ${before})`,
      async () =>
        (await scrapes()) >= before + 4 &&
        (await p.scalar('sum(nv_llm_http_service_requests_total)')) === requests,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    t.diagnostic(
      `${requests} frontend requests, ${(await scrapes()) - before} scrapes since the load began`,
    );

    // Prometheus negotiates OpenMetrics with the app: the scrape is healthy and every metric
    // of the text exposition arrived under the same name, and nothing else did.
    await t.test('scrapes are healthy and ingest exactly the exposition names', async () => {
      const targets = (await (await fetch(`${p.url}/api/v1/targets`)).json()) as {
        data: { activeTargets: Array<{ health: string; lastError: string; labels: object }> };
      };
      assert.equal(targets.data.activeTargets.length, 1);
      const [target] = targets.data.activeTargets;
      assert.equal(target!.health, 'up', target!.lastError);
      assert.equal(target!.lastError, '');
      const res = await fetch(
        `${p.url}/api/v1/label/__name__/values?${new URLSearchParams({ 'match[]': `{job="${job}"}` })}`,
      );
      const ingested = new Set(((await res.json()) as { data: string[] }).data);
      for (const name of ['up', 'scrape_duration_seconds', 'scrape_samples_scraped']) {
        assert.ok(ingested.delete(name), name);
      }
      for (const name of [...ingested]) if (name.startsWith('scrape_')) ingested.delete(name);
      const exposed = new Set(final.samples.map((x) => x.name));
      assert.deepEqual([...ingested].sort(), [...exposed].sort());
    });

    const main = dashboardQueries(DASHBOARDS, { files: ['dynamo-nestjs.json'] });
    assert.ok(main.length >= 30, `${main.length} queries in dynamo-nestjs.json`);
    const empty: string[] = [];
    const legendOf = legends('dynamo-nestjs.json');
    for (const q of main) {
      await t.test(`${q.panel} [${q.refId}]`, async () => {
        const r = await p.query(q.expr);
        assert.equal(r.status, 'success', `${where(q)}\n  ${r.errorType}: ${r.error}`);
        const result = r.data!.result as PromSample[];
        if (!Array.isArray(result) || result.length === 0) {
          empty.push(where(q));
          assert.fail(`no data: ${where(q)}`);
        }
        const values = result.map((x) => x.value[1]);
        if (!values.some((v) => v !== 'NaN')) {
          empty.push(where(q));
          assert.fail(`only NaN (${values.join(', ')}): ${where(q)}`);
        }
        // Every {{label}} of the legend is a label of every series the query returns.
        const legend = legendOf.get(`${q.panelId}/${q.refId}`) ?? '';
        for (const [, label] of legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
          for (const series of result) {
            assert.ok(
              label! in series.metric,
              `legend "${legend}" uses {{${label}}}, missing from ${JSON.stringify(series.metric)}: ${where(q)}`,
            );
          }
        }
      });
    }
    if (empty.length) t.diagnostic(`queries without data:\n${empty.join('\n')}`);

    // The template variables' label_values() find values too.
    const dash = JSON.parse(readFileSync(join(DASHBOARDS, 'dynamo-nestjs.json'), 'utf8')) as {
      templating: { list: Array<{ name: string; definition?: string }> };
    };
    for (const v of dash.templating.list) {
      const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(v.definition ?? '');
      if (!m) continue;
      await t.test(`template variable $${v.name}: ${v.definition}`, async () => {
        const res = await fetch(
          `${p.url}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1]! })}`,
        );
        const body = (await res.json()) as { status: string; data: string[] };
        assert.equal(body.status, 'success');
        assert.ok(body.data.length > 0, `no values for $${v.name} (${v.definition})`);
      });
    }

    for (const q of dashboardQueries(DASHBOARDS, { files: ['gpu-dcgm.json'] })) {
      await t.test(`gpu-dcgm: ${q.panel} [${q.refId}] parses`, async () => {
        const r = await p.query(q.expr);
        assert.equal(r.status, 'success', `${where(q)}\n  ${r.errorType}: ${r.error}`);
      });
    }
  });
});
