import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { requireBinary } from '../support/binaries';
import { http, postJson } from '../support/http-client';
import { poll } from '../support/poll';
import { fastScrapeConfig, PrometheusServer, startPrometheus } from '../support/prometheus-server';
import { SampleProcess, startSample } from '../support/sample-process';

/**
 * The multi-process model of deploy/README.md: three sample-app processes, each with its own app
 * and system port, found by one Prometheus through file-based service discovery. Each process
 * exposes only its own metrics; Prometheus tells them apart by `instance`, and `sum()` across
 * them equals the requests sent.
 */

const JOB = 'dynamo-replicas';
const WORKER = '{component="backend",endpoint="generate"}';

/** Valid requests per instance (uneven on purpose), plus one refused (400) request each. */
const PLAN = [
  { platform: 'express' as const, unary: 5, stream: 4 },
  { platform: 'fastify' as const, unary: 2, stream: 1 },
  { platform: 'express' as const, unary: 1, stream: 0 },
];

describe('three sample-app processes behind one Prometheus (file_sd_configs)', () => {
  const apps: SampleProcess[] = [];
  let prom: PrometheusServer | undefined;

  after(async () => {
    await Promise.all([prom?.stop(), ...apps.map((a) => a.stop())]);
  });

  it('sums across instances equal the requests sent; three distinct instances up', async (t) => {
    const binary = requireBinary(t, 'prometheus');
    if (!binary) return;
    apps.push(
      ...(await Promise.all(
        PLAN.map((p) => startSample({ platform: p.platform, tokenDelayMs: 2 })),
      )),
    );
    const targets = apps.map((a) => `127.0.0.1:${a.systemPort}`);
    assert.equal(new Set(targets).size, 3);
    prom = await startPrometheus(
      binary,
      (dir) =>
        fastScrapeConfig(
          [
            `  - job_name: ${JOB}`,
            '    metrics_path: /metrics',
            '    file_sd_configs:',
            `      - files: ["${join(dir, 'targets.json')}"]`,
            '        refresh_interval: 1s',
          ].join('\n'),
        ),
      { 'targets.json': JSON.stringify([{ targets, labels: { role: 'replica' } }], null, 2) },
    );
    const p = prom;

    const sent: number[] = [];
    await Promise.all(
      PLAN.map(async (plan, i) => {
        const app = apps[i]!;
        const calls: Array<Promise<{ status: number; text: string }>> = [];
        for (let k = 0; k < plan.unary; k++) {
          calls.push(
            postJson(app.appPort, '/v1/completions', {
              model: `Replica-${i}`,
              prompt: `unary ${k}`,
              max_tokens: 2,
            }),
          );
        }
        for (let k = 0; k < plan.stream; k++) {
          calls.push(
            postJson(app.appPort, '/v1/chat/completions', {
              model: `Replica-${i}`,
              messages: [{ role: 'user', content: `stream ${k}` }],
              stream: true,
              max_tokens: 3,
            }),
          );
        }
        const results = await Promise.all(calls);
        for (const r of results) assert.equal(r.status, 200, r.text);
        const refused = await http(
          app.appPort,
          'POST',
          '/v1/completions',
          JSON.stringify({ prompt: 'no model' }),
          { 'content-type': 'application/json' },
        );
        assert.equal(refused.status, 400);
        sent[i] = results.length;
      }),
    );
    const total = sent.reduce((a, b) => a + b, 0);
    assert.equal(total, 13);

    const frontend = 'sum(nv_llm_http_service_requests_total)';
    const worker = `sum(dynamo_requests_total${WORKER})`;
    await poll(
      async () =>
        `Prometheus to scrape the final counts of all three: count(up == 1) = ${await p.scalar('count(up == 1)')}, ` +
        `${frontend} = ${await p.scalar(frontend)}, ${worker} = ${await p.scalar(worker)}, want ${total}`,
      async () =>
        (await p.scalar('count(up == 1)')) === 3 &&
        (await p.scalar(frontend)) === total &&
        (await p.scalar(worker)) === total,
      { timeoutMs: 25_000, intervalMs: 200 },
    );
    assert.equal(await p.scalar(frontend), total);
    assert.equal(await p.scalar(worker), total);
    assert.equal(await p.scalar('count(up == 1)'), 3);

    const up = await p.vector(`up{job="${JOB}"}`);
    assert.deepEqual(
      up.map((s) => s.metric.instance).sort(),
      [...targets].sort(),
      'distinct instances',
    );
    for (const s of up) assert.equal(s.metric.role, 'replica', 'labels from the targets file');

    // Per instance, each process reports only what it served.
    const byInstance = async (expr: string) =>
      Object.fromEntries(
        (await p.vector(`sum by (instance) (${expr})`)).map((s) => [
          s.metric.instance,
          Number(s.value[1]),
        ]),
      );
    const want = Object.fromEntries(targets.map((target, i) => [target, sent[i]]));
    assert.deepEqual(await byInstance('nv_llm_http_service_requests_total'), want);
    assert.deepEqual(await byInstance(`dynamo_requests_total${WORKER}`), want);
    // One model per instance: no process reports another's model.
    const models = await p.vector('sum by (instance, model) (nv_llm_http_service_requests_total)');
    for (const s of models) {
      const i = targets.indexOf(s.metric.instance!);
      assert.equal(s.metric.model, `replica-${i}`, JSON.stringify(s.metric));
    }
    assert.equal(models.length, 3);
    assert.equal(await p.scalar(`count(dynamo_system_uptime_seconds{job="${JOB}"})`), 3);
  });
});
