import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  promtoolCheckMetrics,
  pythonSampleCount,
  requireBinary,
  requirePythonPrometheusClient,
} from '../support/binaries';
import { OPENMETRICS_ACCEPT } from '../support/content-types';
import { Scrape } from '../support/exposition-parser';
import { http, pendingRequest } from '../support/http-client';
import { closeApp, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { poll } from '../support/poll';
import { ACTIVE, httpAppModule, slow } from './fixtures/http-app';

/**
 * The families as served at /metrics pass `promtool check metrics` and Python's parsers of
 * both formats, empty `http_route` and `http_response_status_code` values included.
 */
describe('HTTP server metrics in /metrics', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('promtool and python3-prometheus-client read them', async (t) => {
    const started = await startApp(
      'express',
      httpAppModule({ httpServer: true, system: { enabled: true } }),
    );
    try {
      const { port } = started;
      for (const path of ['/v1/models', '/v1/models/a', '/v1/fail', '/nope', '/v1/bad']) {
        await http(port, 'GET', path);
      }
      await http(port, 'POST', '/v1/echo', '{"a":1}', { 'content-type': 'application/json' });
      const pending = pendingRequest(port, 'GET', '/v1/slow');
      await poll('the handler to hold the request', () => slow.entered === 1);
      pending.abort();
      await pending.settled;
      slow.gate.open();

      const text = await poll('the abort to be recorded', async () => {
        const res = await http(port, 'GET', '/metrics');
        return res.text.includes('error_type="cancelled"') ? res.text : undefined;
      });
      const s = new Scrape(text);
      assert.equal(s.get(ACTIVE, { http_request_method: 'GET' }), 0);
      assert.ok(s.matching('http_server_request_duration_seconds_bucket').length >= 7 * 15);
      const promtool = requireBinary(t, 'promtool');
      if (promtool) {
        const check = promtoolCheckMetrics(promtool, text);
        assert.equal(check.status, 0, check.output);
      }
      const python = requirePythonPrometheusClient(t);
      if (!python) return;
      assert.equal(pythonSampleCount(python, text, 'text'), s.samples.length);
      const om = await http(port, 'GET', '/metrics', undefined, { accept: OPENMETRICS_ACCEPT });
      assert.equal(om.status, 200);
      assert.ok(om.text.includes('http_server_request_duration_seconds_bucket{'));
      assert.equal(pythonSampleCount(python, om.text, 'om'), new Scrape(om.text).samples.length);
    } finally {
      await closeApp(started.app);
    }
  });
});
