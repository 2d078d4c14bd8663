import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promtoolCheckMetrics, requireBinary } from '../support/binaries';
import { Scrape } from '../support/exposition-parser';
import { getPath, postJson } from '../support/http-client';
import { poll } from '../support/poll';
import { SampleProcess, startSample } from '../support/sample-process';
import { applySampleDefaults } from '../../sample-app/main';
import { FRONTEND, CHAT, TEXT, WORKER } from './fixtures/request-mix';

/**
 * The sample app's system server settings (DYN_SYSTEM_PORT empty or 0, DYN_SYSTEM_ENABLED off)
 * and applySampleDefaults().
 */

describe('sample app with DYN_SYSTEM_PORT set but empty', () => {
  let app: SampleProcess;
  before(async () => {
    app = await startSample({ platform: 'express', systemPort: '', tokenDelayMs: 1 });
  });
  after(async () => {
    await app?.stop();
  });

  it('serves /metrics on the app port, with the requests in it', async (t) => {
    const res = await postJson(app.appPort, TEXT, {
      model: 'Empty-Port',
      prompt: 'hi',
      max_tokens: 2,
    });
    assert.equal(res.status, 200, res.text);
    const metrics = await getPath(app.appPort, '/metrics');
    assert.equal(metrics.status, 200, metrics.text);
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const want = {
      model: 'empty-port',
      endpoint: 'completions',
      request_type: 'unary',
      status: 'success',
    };
    // The frontend counts a unary request when its response closes, which may be just after
    // the client has read it.
    const s = await poll(
      'the unary request to be counted',
      async () => {
        const scrape = new Scrape((await getPath(app.appPort, '/metrics')).text);
        return scrape.find(`${FRONTEND}_requests_total`, want) === 1 ? scrape : undefined;
      },
      { timeoutMs: 3000, intervalMs: 50 },
    );
    assert.equal(s.get('dynamo_requests_total', WORKER), 1);
    const body = JSON.parse((await getPath(app.appPort, '/')).text) as {
      metrics: string;
      health: unknown;
    };
    assert.equal(body.health, null, 'no system server, no /health URL');
    assert.match(
      app.output(),
      new RegExp(`Metrics: http://127\\.0\\.0\\.1:${app.appPort}/metrics`),
    );
    const promtool = requireBinary(t, 'promtool');
    if (promtool) {
      const result = promtoolCheckMetrics(promtool, metrics.text);
      assert.equal(result.status, 0, result.output);
    }
  });
});

describe('sample app with DYN_SYSTEM_PORT=0 (fastify)', () => {
  let app: SampleProcess;
  before(async () => {
    app = await startSample({ platform: 'fastify', systemPort: 0, tokenDelayMs: 1 });
  });
  after(async () => {
    await app?.stop();
  });

  it('picks a free port, logs it, reports it at GET / and serves /metrics and /health there', async () => {
    const port = app.systemPort!;
    assert.ok(port > 0 && port !== app.appPort);
    assert.match(app.output(), new RegExp(`Metrics: http://127\\.0\\.0\\.1:${port}/metrics`));
    const res = await postJson(app.appPort, CHAT, {
      model: 'Port-Zero',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      max_tokens: 2,
    });
    assert.equal(res.status, 200);
    assert.ok(res.text.endsWith('data: [DONE]\n\n'));
    const s = await poll(
      'the stream to be counted',
      async () => {
        const scrape = await app.scrape();
        return scrape.find(`${FRONTEND}_requests_total`, {
          model: 'port-zero',
          endpoint: 'chat_completions',
          request_type: 'stream',
          status: 'success',
        }) === 1
          ? scrape
          : undefined;
      },
      { timeoutMs: 3000, intervalMs: 50 },
    );
    assert.equal(s.get(`${FRONTEND}_time_to_first_token_seconds_count`, { model: 'port-zero' }), 1);
    assert.equal(s.get(`${FRONTEND}_inter_token_latency_seconds_count`, { model: 'port-zero' }), 1);
    assert.equal((await getPath(port, '/health')).status, 200);
    assert.equal((await getPath(app.appPort, '/metrics')).status, 404);
  });
});

// Any spelling the module reads as off (FALSE, or set but empty): the URL line follows the
// module's resolved configuration, never a URL that would 404.
for (const enabled of ['FALSE', '']) {
  describe(`sample app with DYN_SYSTEM_ENABLED=${JSON.stringify(enabled)}`, () => {
    let app: SampleProcess;
    before(async () => {
      app = await startSample({ systemPort: '', env: { DYN_SYSTEM_ENABLED: enabled } });
    });
    after(async () => {
      await app?.stop();
    });

    it('serves the API but no /metrics anywhere, and says so', async () => {
      const res = await postJson(app.appPort, TEXT, { model: 'off', prompt: 'hi', max_tokens: 1 });
      assert.equal(res.status, 200, res.text);
      assert.equal((await getPath(app.appPort, '/metrics')).status, 404);
      assert.match(app.output(), /Metrics: off \(DYN_SYSTEM_ENABLED is not true\)/);
      assert.doesNotMatch(app.output(), /Metrics: http/);
      const body = JSON.parse((await getPath(app.appPort, '/')).text) as { health: unknown };
      assert.equal(body.health, null);
    });
  });
}

describe('applySampleDefaults()', () => {
  it('turns metrics on with a system server on 8081 waiting for generate, status page on', () => {
    const env: NodeJS.ProcessEnv = {};
    applySampleDefaults(env);
    assert.deepEqual(env, {
      DYN_SYSTEM_ENABLED: 'true',
      DYN_SYSTEM_PORT: '8081',
      DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '["generate"]',
      DYN_SYSTEM_STATUS_PAGE: 'true',
    });
  });

  it('leaves every variable that is set alone, even to an empty value', () => {
    const env: NodeJS.ProcessEnv = {
      DYN_SYSTEM_ENABLED: 'false',
      DYN_SYSTEM_PORT: '',
      DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '[]',
      DYN_SYSTEM_STATUS_PAGE: 'false',
    };
    applySampleDefaults(env);
    assert.deepEqual(env, {
      DYN_SYSTEM_ENABLED: 'false',
      DYN_SYSTEM_PORT: '',
      DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '[]',
      DYN_SYSTEM_STATUS_PAGE: 'false',
    });
  });
});
