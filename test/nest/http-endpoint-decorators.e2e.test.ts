import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import { http, postJson } from '../support/http-client';
import { PLATFORMS, scrape, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { expected, worker } from '../support/worker-metrics';
import { startHttpApp, closeHttpApp } from './fixtures/http-endpoint-app';
import { Labels, L, JSON_HEADERS, bytes } from './fixtures/http-endpoint-routes';

/**
 * @DynamoEndpoint beside guards, pipes, @HttpCode, @Header and interceptors: they keep working,
 * and requests they refuse are not counted.
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

    describe('other decorators keep working', () => {
      for (const [route, endpoint] of [
        ['guard-below', 'guard_below'],
        ['guard-above', 'guard_above'],
      ] as const) {
        it(`a guard that refuses (${route}) -> 403, not counted; allowed -> counted once`, async () => {
          const refused = await http(port, 'GET', `/guarded/${route}`);
          assert.equal(refused.status, 403);
          assert.deepEqual(await snapshot(L('guarded', endpoint)), expected({}));

          const allowed = await http(port, 'GET', `/guarded/${route}`, undefined, {
            'x-allow': 'yes',
          });
          assert.equal(allowed.status, 200);
          assert.deepEqual(JSON.parse(allowed.text), { passed: 'guard' });
          assert.deepEqual(
            await snapshot(L('guarded', endpoint)),
            expected({ requests: 1, durationCount: 1, responseBytes: allowed.received }),
          );
        });
      }

      it('a pipe that rejects the body -> 400, not counted; a transforming pipe still applies', async () => {
        const rejected = await postJson(port, '/guarded/piped', { ok: false });
        assert.equal(rejected.status, 400);
        assert.equal(JSON.parse(rejected.text).message, 'ok must be true');
        assert.deepEqual(await snapshot(L('guarded', 'piped')), expected({}));

        const body = JSON.stringify({ ok: true, note: 'ünïcode' });
        const accepted = await http(port, 'POST', '/guarded/piped', body, JSON_HEADERS);
        assert.equal(accepted.status, 201);
        assert.deepEqual(JSON.parse(accepted.text), { ok: true, note: 'ünïcode', piped: true });
        assert.deepEqual(
          await snapshot(L('guarded', 'piped')),
          expected({
            requests: 1,
            durationCount: 1,
            requestBytes: bytes(body),
            responseBytes: accepted.received,
          }),
        );
      });

      for (const [route, endpoint, status, header] of [
        ['decorated', 'decorated', 202, 'kept'],
        ['decorated-above', 'decorated_above', 203, 'above'],
      ] as const) {
        it(`@HttpCode, @Header and an interceptor survive (${route})`, async () => {
          const body = JSON.stringify({ x: 1 });
          const res = await http(port, 'POST', `/guarded/${route}`, body, JSON_HEADERS);
          assert.equal(res.status, status);
          assert.equal(res.headers['x-dynamo-test'], header);
          assert.deepEqual(JSON.parse(res.text), { wrapped: { body: { x: 1 } } });
          assert.deepEqual(
            await snapshot(L('guarded', endpoint)),
            expected({
              requests: 1,
              durationCount: 1,
              requestBytes: bytes(body),
              responseBytes: res.received,
            }),
          );
        });
      }
    });
  });
}
