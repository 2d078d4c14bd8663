import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { http, HttpResult } from '../support/http-client';
import {
  closeApp,
  PLATFORMS,
  scrape,
  startApp,
  StartedApp,
  SUITE_TIMEOUT_MS,
} from '../support/nest-app';
import {
  ACTIVE,
  countOf,
  DURATION,
  httpAppModule,
  MODELS,
  REQUEST_BODY,
  RESPONSE_BODY,
  series,
} from './fixtures/http-app';

/**
 * HTTP server metrics for every route, on both adapters: after known traffic, each series of
 * (method, route, status, error type) counts exactly the requests sent, the body sizes are the
 * bytes declared, nothing else has a series, and no request is left active.
 */
for (const platform of PLATFORMS) {
  describe(`HTTP server metrics (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    let started: StartedApp;
    const send = (method: string, path: string, body?: string): Promise<HttpResult> =>
      http(started.port, method, path, body, body ? { 'content-type': 'application/json' } : {});

    before(async () => {
      started = await startApp(platform, httpAppModule());
    });
    after(() => closeApp(started?.app));

    it('counts each request once, by method, route template, status and error type', async () => {
      const echo = JSON.stringify({ text: 'x'.repeat(300) });
      const sent: Array<[string, string, string?]> = [
        ['GET', '/v1/models'],
        ['GET', '/v1/models'],
        ['GET', '/v1/models?limit=2'],
        ['GET', '/v1/models/a'],
        ['GET', '/v1/models/b'],
        ['GET', '/v1/models/missing'],
        ['POST', '/v1/echo', echo],
        ['POST', '/v1/echo', echo],
        ['GET', '/v1/fail'],
        ['GET', '/v1/bad'],
        ['HEAD', '/v1/models'],
        ['DELETE', '/v1/models'],
        ['GET', '/nope'],
        ['PROPFIND', '/v1/models'],
      ];
      const statuses: number[] = [];
      for (const [method, path, body] of sent)
        statuses.push((await send(method, path, body)).status);
      assert.deepEqual(
        statuses,
        [200, 200, 200, 200, 200, 404, 201, 201, 500, 400, 200, 404, 404, 404],
      );

      const s = await scrape(started.app);
      const expected: Array<[Record<string, string>, number]> = [
        [series('GET', '/v1/models', 200), 3],
        [series('GET', '/v1/models/:model', 200), 2],
        [series('GET', '/v1/models/:model', 404), 1],
        [series('POST', '/v1/echo', 201), 2],
        [series('GET', '/v1/fail', 500, '500'), 1],
        [series('GET', '/v1/bad', 400), 1],
        [series('HEAD', '/v1/models', 200), 1],
        [series('DELETE', '', 404), 1],
        [series('GET', '', 404), 1],
        [series('_OTHER', '', 404), 1],
      ];
      const counts = s.matching(`${DURATION}_count`).map((x) => [x.labels, x.value]);
      assert.deepEqual(
        new Map(counts.map(([l, v]) => [JSON.stringify(l), v])),
        new Map(expected.map(([l, v]) => [JSON.stringify(l), v])),
      );
      for (const method of ['GET', 'POST', 'HEAD', 'DELETE', '_OTHER']) {
        assert.equal(s.get(ACTIVE, { http_request_method: method }), 0, method);
      }
    });

    it('observes the request and response bodies as declared (Content-Length)', async () => {
      const before = await scrape(started.app);
      const echo = JSON.stringify({ text: randomBytes(600).toString('hex') });
      const first = await send('POST', '/v1/echo', echo);
      const second = await send('POST', '/v1/echo', echo);
      const list = await send('GET', '/v1/models');
      const head = await send('HEAD', '/v1/models');
      const s = await scrape(started.app);
      const delta = (name: string, labels: Record<string, string>) =>
        s.get(name, labels) - (before.find(name, labels) ?? 0);

      const post = series('POST', '/v1/echo', 201);
      assert.equal(delta(`${REQUEST_BODY}_count`, post), 2);
      assert.equal(delta(`${REQUEST_BODY}_sum`, post), 2 * Buffer.byteLength(echo));
      assert.equal(delta(`${REQUEST_BODY}_bucket`, { ...post, le: '1000' }), 0);
      assert.equal(delta(`${REQUEST_BODY}_bucket`, { ...post, le: '10000' }), 2);
      assert.equal(
        delta(`${RESPONSE_BODY}_sum`, post),
        Number(first.headers['content-length']) + Number(second.headers['content-length']),
      );
      const get = series('GET', '/v1/models', 200);
      assert.equal(Number(list.headers['content-length']), JSON.stringify(MODELS).length);
      assert.equal(delta(`${RESPONSE_BODY}_sum`, get), JSON.stringify(MODELS).length);
      // No body on a GET; a HEAD response declares the length of a body it does not send.
      assert.equal(delta(`${REQUEST_BODY}_bucket`, { ...get, le: '0' }), 1);
      assert.ok(Number(head.headers['content-length']) > 0);
      const headSeries = series('HEAD', '/v1/models', 200);
      assert.equal(delta(`${RESPONSE_BODY}_count`, headSeries), 1);
      assert.equal(delta(`${RESPONSE_BODY}_sum`, headSeries), 0);
    });

    it('a @DynamoEndpoint() route is counted in both families', async () => {
      const before = await scrape(started.app);
      for (let i = 0; i < 3; i++) assert.equal((await send('GET', '/v1/decorated')).status, 200);
      const s = await scrape(started.app);
      const labels = series('GET', '/v1/decorated', 200);
      assert.equal(countOf(s, labels) - countOf(before, labels), 3);
      const worker = { namespace: 'dynamo', component: 'api', endpoint: 'decorated' };
      const requests = 'dynamo_requests_total';
      assert.equal(s.get(requests, worker) - (before.find(requests, worker) ?? 0), 3);
    });

    it('300 unmatched paths make one series per method and status, never the raw path', async () => {
      const before = await scrape(started.app);
      const random = () => `/${randomBytes(6).toString('hex')}/${randomBytes(4).toString('hex')}`;
      for (let i = 0; i < 300; i++) assert.equal((await send('GET', random())).status, 404);
      for (let i = 0; i < 20; i++) assert.equal((await send('POST', random(), '{}')).status, 404);
      const s = await scrape(started.app);
      assert.equal(
        countOf(s, series('GET', '', 404)) - countOf(before, series('GET', '', 404)),
        300,
      );
      assert.equal(
        countOf(s, series('POST', '', 404)) - countOf(before, series('POST', '', 404)),
        20,
      );
      const routes = new Set(s.matching(`${DURATION}_count`).map((x) => x.labels.http_route));
      assert.equal(
        s.matching(`${DURATION}_count`).length,
        before.matching(`${DURATION}_count`).length + 1,
      );
      assert.ok(![...routes].some((r) => r !== '' && !r.startsWith('/v1/')), [...routes].join());
    });
  });
}
