import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    options?: { files?: string[] },
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
    // Requests keep coming until Prometheus (whose first scrape comes seconds after its start)
    // has stored some.
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
    // (The sample runs with classic names here: dynamo-component.json is for the other profile.)
    const withExemplars = dashboardQueries(join(DEPLOY, 'grafana', 'dashboards'), {
      files: ['dynamo-nestjs.json'],
    }).filter((q) => q.exemplar);
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

describe(
  'the sample exporting its traces (OTEL_EXPORTER_OTLP_ENDPOINT)',
  { timeout: 60_000 },
  () => {
    for (const platform of ['express', 'fastify'] as const) {
      it(`${platform}: the exemplar's trace is the exported span's, continuing the caller's`, async () => {
        // A stand-in for Tempo's OTLP/HTTP receiver: collects the JSON the exporter posts.
        const received: string[] = [];
        const receiver: Server = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            received.push(Buffer.concat(chunks).toString('utf8'));
            res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          });
        });
        await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
        const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
        const app = await startSample({
          platform,
          tokenDelayMs: 1,
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp },
        });
        try {
          const caller = traceId();
          const res = await http(
            app.appPort,
            'POST',
            '/v1/chat/completions',
            JSON.stringify({
              model: 'demo',
              max_tokens: 2,
              messages: [{ role: 'user', content: 'hi' }],
            }),
            {
              'content-type': 'application/json',
              traceparent: `00-${caller}-${randomBytes(8).toString('hex')}-01`,
            },
          );
          assert.equal(res.status, 200, res.text);
          const open = await http(app.metricsPort, 'GET', '/metrics', undefined, {
            accept: 'application/openmetrics-text; version=1.0.0',
          });
          const line = open.text
            .split('\n')
            .find(
              (l) =>
                l.startsWith('nv_llm_http_service_request_duration_seconds_bucket') &&
                l.includes(' # {'),
            );
          const [, trace, span] =
            /trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"/.exec(line ?? '') ?? [];
          assert.equal(trace, caller, `the server span continues the caller's trace: ${line}`);
          // The span named by the exemplar reaches the trace backend.
          await poll(
            () =>
              `a span ${span} exported to ${otlp}; received: ${received.join('\n').slice(0, 2000)}`,
            () => received.some((body) => body.includes(span!) && body.includes(caller)),
            { timeoutMs: 15_000, intervalMs: 100 },
          );
        } finally {
          await app.stop();
          await new Promise<void>((resolve) => receiver.close(() => resolve()));
        }
      });
    }
  },
);
