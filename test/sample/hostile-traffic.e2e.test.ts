import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
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
const PYTHON = '/usr/bin/python3';

/** Python's parsers, independent of ours; prints the number of samples read. */
const PY_PARSE = `
import sys
from prometheus_client.parser import text_string_to_metric_families as text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
parse = om if sys.argv[1] == 'om' else text
print(sum(len(f.samples) for f in parse(sys.stdin.read())))
`;

function requirePythonClient(t: TestContext): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import prometheus_client'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  const message =
    'Python prometheus_client is missing (Debian: apt-get install -y python3-prometheus-client); .ci/run installs it';
  if (process.env.CI === 'true') throw new Error(`${message}. CI=true, so this is a failure.`);
  t.skip(message);
  return false;
}

function pythonSamples(text: string, format: 'text' | 'om'): number {
  const run = spawnSync(PYTHON, ['-c', PY_PARSE, format], {
    input: text,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, `python ${format} parser: ${run.stderr}`);
  return Number(run.stdout.trim());
}

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
    assert.ok(bytes < 2 * 1024 * 1024, `/metrics is ${bytes} bytes`);
    const promtool = requireBinary(t, 'promtool');
    if (promtool) {
      const check = promtoolCheckMetrics(promtool, res.text);
      assert.equal(check.status, 0, check.output);
    }
    if (!requirePythonClient(t)) return;
    const ours = new Scrape(res.text).samples.length;
    assert.equal(pythonSamples(res.text, 'text'), ours);
    const om = await http(app.metricsPort, 'GET', '/metrics', undefined, {
      accept: 'application/openmetrics-text; version=1.0.0',
    });
    assert.equal(om.status, 200);
    assert.ok(pythonSamples(om.text, 'om') > 0);
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
    // The backend's own counter by model has the core budget: 2,000 series, then overflow.
    const tokens = s.matching('dynamo_backend_generated_tokens_total');
    assert.equal(tokens.length, 2001);
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
