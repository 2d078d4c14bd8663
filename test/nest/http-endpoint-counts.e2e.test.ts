import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import { http } from '../support/http-client';
import { PLATFORMS, scrape, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { expected, worker } from '../support/worker-metrics';
import { REPLY_TEXT, startHttpApp, closeHttpApp } from './fixtures/http-endpoint-app';
import { Labels, L, JSON_HEADERS, bytes, ROUTES } from './fixtures/http-endpoint-routes';

/**
 * @DynamoEndpoint on HTTP routes: exact counts and bytes for each kind of handler result (the
 * cases: fixtures/http-endpoint-routes.ts), and the labels the decorator derives or is given.
 */

for (const platform of PLATFORMS) {
  describe(`@DynamoEndpoint on HTTP routes (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    let app: INestApplication;
    let port: number;

    before(async () => {
      ({ app, port } = await startHttpApp(platform));
    });
    after(() => closeHttpApp(app));

    const snapshot = async (labels: Labels) => worker(await scrape(app), labels);

    describe('one route, exact counts and bytes', () => {
      for (const c of ROUTES) {
        it(c.title, async () => {
          const body = c.json === undefined ? undefined : JSON.stringify(c.json);
          const calls = c.calls ?? 1;
          let received = 0;
          for (let i = 0; i < calls; i++) {
            const method = c.method ?? (body === undefined ? 'GET' : 'POST');
            const res = await http(port, method, c.path, body, body ? JSON_HEADERS : {});
            assert.equal(res.status, c.status, res.text);
            c.reply?.(res);
            received += res.received;
          }
          const s = await scrape(app);
          assert.deepEqual(
            worker(s, c.labels),
            expected({
              requests: calls,
              durationCount: calls,
              requestBytes: body === undefined ? 0 : calls * bytes(body),
              responseBytes: received,
              errors: c.error ? { [c.error]: calls } : {},
            }),
          );
          if (c.minDuration !== undefined) {
            const sum = s.get('dynamo_request_duration_seconds_sum', c.labels);
            assert.ok(sum >= c.minDuration, `duration sum ${sum} s`);
          }
        });
      }
    });

    describe('labels', () => {
      it('derives component from the class and endpoint from the method (decorator above the route)', async () => {
        const body = JSON.stringify({ prompt: 'Grüß Gott 🚀', n: 1 });
        let received = 0;
        for (let i = 0; i < 3; i++) {
          const res = await http(port, 'POST', '/chat/completions', body, JSON_HEADERS);
          assert.equal(res.status, 201);
          assert.deepEqual(JSON.parse(res.text), {
            echo: { prompt: 'Grüß Gott 🚀', n: 1 },
            text: REPLY_TEXT,
          });
          received += res.received;
        }
        const s = await scrape(app);
        const labels = L('chat', 'chat_completions');
        // Duration buckets agree with the count.
        assert.equal(s.get('dynamo_request_duration_seconds_bucket', { ...labels, le: '+Inf' }), 3);
        assert.ok(s.get('dynamo_request_duration_seconds_sum', labels) > 0);
        // Nothing under a name that was not derived this way.
        assert.equal(
          s.find('dynamo_requests_total', L('chat_controller', 'chat_completions')),
          undefined,
        );
        assert.equal(s.find('dynamo_requests_total', L('chat', 'chatCompletions')), undefined);
        assert.deepEqual(
          worker(s, labels),
          expected({
            requests: 3,
            durationCount: 3,
            requestBytes: 3 * bytes(body),
            responseBytes: received,
          }),
        );
      });

      it('applies component / endpoint / namespace overrides from the decorator options', async () => {
        const a = await http(port, 'GET', '/chat/generate');
        const b1 = await http(port, 'GET', '/chat/elsewhere');
        const b2 = await http(port, 'GET', '/chat/elsewhere');
        assert.deepEqual([a.status, b1.status, b2.status], [200, 200, 200]);
        const s = await scrape(app);
        assert.equal(s.find('dynamo_requests_total', L('chat', 'generate')), undefined);
        assert.equal(s.find('dynamo_requests_total', L('llm', 'generate')), undefined);
        assert.equal(s.find('dynamo_requests_total', L('chat', 'elsewhere')), undefined);
        assert.deepEqual(
          worker(s, L('llm', 'generate_text')),
          expected({ requests: 1, durationCount: 1, responseBytes: a.received }),
        );
        assert.deepEqual(
          worker(s, L('chat', 'elsewhere', 'other_ns')),
          expected({ requests: 2, durationCount: 2, responseBytes: b1.received + b2.received }),
        );
      });

      it('a chunked upload (no Content-Length) counts the raw body bytes (rawBody: true)', async () => {
        const labels = L('chat', 'chat_completions_below');
        const before = await snapshot(labels);
        const parts = ['{"parts":["één",', '"twee ✓",', '"drie 🚀"]}'];
        const res = await http(port, 'POST', '/chat/completions-below', parts, JSON_HEADERS);
        assert.equal(res.status, 201);
        assert.deepEqual(JSON.parse(res.text), {
          echo: { parts: ['één', 'twee ✓', 'drie 🚀'] },
          below: true,
        });
        const w = await snapshot(labels);
        assert.deepEqual(
          w,
          expected({
            requests: before.requests + 1,
            durationCount: before.durationCount + 1,
            requestBytes: before.requestBytes + bytes(parts.join('')),
            responseBytes: before.responseBytes + res.received,
          }),
        );
      });
    });
  });
}
