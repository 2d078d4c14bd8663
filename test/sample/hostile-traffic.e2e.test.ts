import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  promtoolCheckMetrics,
  pythonSampleCount,
  requireBinary,
  requirePythonPrometheusClient,
} from '../support/binaries';
import { chatBody, sendChats } from '../support/chat-load';
import { Scrape } from '../support/exposition-parser';
import { http } from '../support/http-client';
import { SampleProcess, startSample, sumOf } from '../support/sample-process';

/**
 * Issue 14, "Done when": the sample app (which accepts any model) under 20,000 requests with
 * distinct random model names plus a few with 100 KB names. /metrics must stay small, answer
 * 200, parse with promtool and with Python's prometheus_client (both formats), and the
 * requests counted over all series, overflow included, must equal the requests sent.
 */

const DISTINCT = 20_000;
const HUGE = 5;
const FRONTEND = 'nv_llm_http_service_requests_total';
const sendAll = (port: number, models: string[]) => sendChats(port, models.map(chatBody));

describe('hostile traffic: 20,000 distinct model names and 100 KB names', () => {
  let app: SampleProcess;
  let statuses: Map<number, number>;

  before(async () => {
    app = await startSample({ platform: 'express', tokenDelayMs: 0 });
    const models = Array.from(
      { length: DISTINCT },
      (_, i) => `m${i}-${randomBytes(6).toString('hex')}`,
    );
    // 100,000 characters: under Express's default 100 KB body limit, far over 256.
    for (let i = 0; i < HUGE; i++) models.splice(i * 4000, 0, `${i}`.repeat(100_000));
    statuses = await sendAll(app.appPort, models);
  });

  after(async () => {
    await app?.stop();
  });

  it('every request was served', () => {
    assert.deepEqual([...statuses], [[200, DISTINCT + HUGE]]);
  });

  it('/metrics answers 200, stays under 2 MB, and parses with promtool and Python', async (t) => {
    const res = await http(app.metricsPort, 'GET', '/metrics');
    assert.equal(res.status, 200);
    const bytes = Buffer.byteLength(res.text);
    t.diagnostic(`/metrics is ${bytes} bytes`);
    assert.ok(bytes < 2_000_000, `/metrics is ${bytes} bytes`);
    const promtool = requireBinary(t, 'promtool');
    if (promtool) {
      const check = promtoolCheckMetrics(promtool, res.text);
      assert.equal(check.status, 0, check.output);
    }
    const python = requirePythonPrometheusClient(t);
    if (!python) return;
    const ours = new Scrape(res.text).samples.length;
    assert.equal(pythonSampleCount(python, res.text, 'text'), ours);
    const om = await http(app.metricsPort, 'GET', '/metrics', undefined, {
      accept: 'application/openmetrics-text; version=1.0.0',
    });
    assert.equal(om.status, 200);
    assert.ok(pythonSampleCount(python, om.text, 'om') > 0);
  });

  it('requests_total over all series, overflow included, equals the requests sent', async () => {
    const s = await app.scrape();
    const sent = DISTINCT + HUGE;
    assert.equal(sumOf(s, FRONTEND), sent);
    assert.equal(sumOf(s, 'dynamo_requests_total', { endpoint: 'generate' }), sent);
    const models = new Set(s.matching(FRONTEND).map((x) => x.labels.model));
    assert.equal(models.size, 101, 'the frontend keeps 100 models plus __overflow__');
    assert.equal(
      sumOf(s, FRONTEND, { model: '__overflow__' }),
      sent - 100,
      'every request past the first 100 models is in the overflow series',
    );
    assert.equal(s.get('dynamo_series_overflow_total', { metric: FRONTEND }), sent - 100);
    // The backend's own counter by model asks the frontend's model admission (modelLabel()): the
    // same 100 models, then overflow, counted under its own name.
    const tokens = s.matching('dynamo_backend_generated_tokens_total');
    assert.equal(tokens.length, 101);
    assert.equal(
      s.get('dynamo_series_overflow_total', { metric: 'dynamo_backend_generated_tokens_total' }),
      sent - 100,
    );
    assert.equal(
      tokens.reduce((sum, x) => sum + x.value, 0),
      sent,
    );
  });
});

describe('hostile traffic on Fastify: 1 MB model names', () => {
  it('eight 1 MB names leave /metrics answering 200, small, with exact totals', async () => {
    const app = await startSample({ platform: 'fastify', tokenDelayMs: 0 });
    try {
      // 1,000,000 characters: under Fastify's default 1 MiB body limit.
      const models = Array.from({ length: 8 }, (_, i) => `${i}`.repeat(1_000_000));
      assert.deepEqual([...(await sendAll(app.appPort, models))], [[200, 8]]);
      const res = await http(app.metricsPort, 'GET', '/metrics');
      assert.equal(res.status, 200);
      assert.ok(Buffer.byteLength(res.text) < 200_000, `/metrics is ${res.text.length} chars`);
      const s = new Scrape(res.text);
      assert.equal(sumOf(s, FRONTEND), 8);
      assert.equal(sumOf(s, FRONTEND, { model: '__overflow__' }), 8);
    } finally {
      await app.stop();
    }
  });
});
