import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { requireBinary } from '../support/binaries';
import { http } from '../support/http-client';
import { poll } from '../support/poll';
import { fastScrapeConfig, PrometheusServer, startPrometheus } from '../support/prometheus-server';
import { REPO_ROOT, SampleProcess, startSample } from '../support/sample-process';

const DEPLOY = join(REPO_ROOT, 'deploy');
// Plain CommonJS shipped in deploy/ (also used by the dashboards test).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dashboardQueries } = require(join(DEPLOY, 'dashboard-queries.js')) as {
  dashboardQueries(
    dir: string,
  ): Array<{ panel: string; refId: string; expr: string; exemplar: boolean }>;
};

/**
 * From a slow request to its trace, against the real thing: the sample app (exemplars on by
 * default) is scraped by a real Prometheus with exemplar storage while requests arrive with known
 * W3C `traceparent` headers; Prometheus' own exemplar API then returns those trace ids on the
 * worker duration histogram (the backend's `generate`, called by the frontend: the trace is
 * inherited) and on the frontend's time-to-first-token histogram.
 */

const traceId = () => randomBytes(16).toString('hex');

describe('exemplars in a real Prometheus', { timeout: 90_000 }, () => {
  let sample: SampleProcess | undefined;
  let prom: PrometheusServer | undefined;

  before(async () => {
    sample = await startSample({ tokenDelayMs: 2 });
  });
  after(async () => {
    await prom?.stop();
    await sample?.stop();
  });

  it('query_exemplars returns the trace ids sent in traceparent headers', async (t) => {
    const binary = requireBinary(t, 'prometheus');
    if (!binary || !sample) return;
    prom = await startPrometheus(
      binary,
      fastScrapeConfig(
        [
          '  - job_name: sample',
          '    static_configs:',
          `      - targets: ["127.0.0.1:${sample.metricsPort}"]`,
        ].join('\n'),
      ),
      {},
      ['--enable-feature=exemplar-storage'],
    );
    const sent: string[] = [];
    const send = async () => {
      const id = traceId();
      sent.push(id);
      const res = await http(
        sample!.appPort,
        'POST',
        '/v1/chat/completions',
        JSON.stringify({
          model: 'Demo',
          stream: true,
          max_tokens: 4,
          messages: [{ role: 'user', content: 'hi' }],
        }),
        {
          'content-type': 'application/json',
          traceparent: `00-${id}-${randomBytes(8).toString('hex')}-01`,
        },
      );
      assert.equal(res.status, 200, res.text);
    };
    const found = (ids: string[]) => sent.filter((id) => ids.includes(id));
    // Requests keep coming until Prometheus (first scrape ~6 s after start) has stored some.
    await poll(
      () => `exemplars with the sent trace ids; Prometheus said:\n${prom!.output()}`,
      async () => {
        await send();
        const worker = await prom!.exemplarTraceIds(
          'dynamo_request_duration_seconds_bucket{component="backend",endpoint="generate"}',
        );
        const ttft = await prom!.exemplarTraceIds(
          'nv_llm_http_service_time_to_first_token_seconds_bucket{model="demo"}',
        );
        return found(worker).length > 0 && found(ttft).length > 0;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // Every exemplar Prometheus holds for these series is one of ours: none is invented.
    const all = await prom.exemplarTraceIds(
      'nv_llm_http_service_time_to_first_token_seconds_bucket',
    );
    assert.ok(all.length > 0 && all.every((id) => sent.includes(id)), `${all}`);

    // The dashboard's latency panels ask for exemplars; Grafana sends their queries to this API.
    const withExemplars = dashboardQueries(join(DEPLOY, 'grafana', 'dashboards')).filter(
      (q) => q.exemplar,
    );
    assert.ok(withExemplars.length >= 5, `${withExemplars.length} exemplar queries`);
    for (const q of withExemplars) {
      const ids = await prom.exemplarTraceIds(q.expr);
      assert.ok(
        ids.some((id) => sent.includes(id)),
        `${q.panel} [${q.refId}]: no exemplar of ours for ${q.expr}`,
      );
    }
  });
});
