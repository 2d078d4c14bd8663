import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
import { chatBody, sendChats } from '../support/chat-load';
import { Scrape } from '../support/exposition-parser';
import { http } from '../support/http-client';
import { poll } from '../support/poll';
import { SampleProcess, startSample, sumOf } from '../support/sample-process';

/**
 * Issue 24, "one model admission": under the `component` profile the sample labels its worker
 * metrics with the client's model too. 5,000 random models, five 90 KB names and the odd values
 * (the overflow marker in any case, blank, missing, not a string) must leave /metrics under
 * 2 MB, with every request counted: one budget (the frontend's 100 models) decides which model
 * values any metric carries.
 */

const RANDOM = 5_000;
const HUGE = 5;
const FRONTEND = 'dynamo_frontend_requests_total';
const WORKER = 'dynamo_component_requests_total';
/**
 * The sample publishes its model's configuration (`demo`) at start-up, which takes one of the
 * 100 places of the model budget: 99 remain for client models.
 */
const ADMITTED = 99;
/** Admitted by the budget? No: each is recorded as __overflow__ and counted. */
const ODD: unknown[] = ['__OVERFLOW__', '__overflow__', '   ', '', undefined, 42, null];

describe('component profile: 5,000 random models, 90 KB names and odd models', () => {
  let app: SampleProcess;
  let statuses: Map<number, number>;
  let text: string;

  before(async () => {
    app = await startSample({
      platform: 'express',
      tokenDelayMs: 0,
      env: { DYN_METRICS_NAMING: 'component' },
    });
    const models: unknown[] = Array.from(
      { length: RANDOM },
      (_, i) => `M${i}-${randomBytes(6).toString('hex')}`,
    );
    // 90,000 characters: under Express's default 100 KB body limit, far over 256.
    for (let i = 0; i < HUGE; i++) models.splice(i * 1000, 0, `${i}`.repeat(90_000));
    models.push(...ODD);
    statuses = await sendChats(app.appPort, models.map(chatBody));
    // Every answered request has ended on the server too (its 'close' ran): nothing in flight.
    text = await poll('nothing in flight', async () => {
      const body = (await http(app.metricsPort, 'GET', '/metrics')).text;
      const s = new Scrape(body);
      const inflight =
        sumOf(s, 'dynamo_frontend_inflight_requests') +
        sumOf(s, 'dynamo_component_inflight_requests');
      return inflight === 0 && body;
    });
  });

  after(async () => {
    await app?.stop();
  });

  it('strings are served; blank, missing and non-string models are refused by the sample (400)', () => {
    const refused = ODD.filter((m) => typeof m !== 'string' || m.trim() === '').length;
    assert.deepEqual([...statuses].sort(), [
      [200, RANDOM + HUGE + ODD.length - refused],
      [400, refused],
    ]);
  });

  it('/metrics stays under 2 MB and passes promtool', (t) => {
    const bytes = Buffer.byteLength(text);
    t.diagnostic(`/metrics is ${bytes} bytes`);
    assert.ok(bytes < 2_000_000, `/metrics is ${bytes} bytes`);
    const promtool = requireBinary(t, 'promtool');
    if (!promtool) return;
    const check = promtoolCheckMetrics(promtool, text);
    // Dynamo's own name trips one lint rule; it is kept, for compatibility (exit 3: lint only).
    const findings = check.output.split('\n').filter((l) => l.trim() !== '');
    const dynamoName =
      /^dynamo_frontend_tokenizer_latency_ms metric names should not contain abbreviated units$/;
    assert.deepEqual(
      findings.filter((l) => !dynamoName.test(l)),
      [],
      check.output,
    );
    assert.ok([0, 3].includes(check.status), check.output);
  });

  it("the frontend counts every request: the budget's models, the rest __overflow__", () => {
    const s = new Scrape(text);
    const sent = RANDOM + HUGE + ODD.length;
    assert.equal(sumOf(s, FRONTEND), sent);
    const models = new Set(s.matching(FRONTEND).map((x) => x.labels.model));
    assert.equal(models.size, ADMITTED + 1);
    assert.ok(models.has('__overflow__'));
    // Lower-cased: the client's "M0-..." is "m0-...".
    assert.ok([...models].every((m) => m === m!.toLowerCase()));
    assert.equal(sumOf(s, FRONTEND, { model: '__overflow__' }), sent - ADMITTED);
    assert.equal(
      s.get('dynamo_component_series_overflow_total', { metric: FRONTEND }),
      sent - ADMITTED,
    );
  });

  it('worker metrics carry the same models, the rest __overflow__, totals exact', () => {
    const s = new Scrape(text);
    const served = statuses.get(200)!;
    const at = { dynamo_endpoint: 'generate' };
    assert.equal(sumOf(s, WORKER, at), served);
    const frontendModels = new Set(s.matching(FRONTEND).map((x) => x.labels.model));
    const workerModels = new Set(
      s
        .matching(WORKER)
        .filter((x) => x.labels.dynamo_endpoint === 'generate')
        .map((x) => x.labels.model),
    );
    assert.deepEqual([...workerModels].sort(), [...frontendModels].sort());
    assert.equal(sumOf(s, WORKER, { ...at, model: '__overflow__' }), served - ADMITTED);
    assert.equal(
      s.get('dynamo_component_series_overflow_total', { metric: WORKER }),
      served - ADMITTED,
    );
  });
});
