import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VersioningType } from '@nestjs/common';
import { withEnv } from '../support/env';
import { http } from '../support/http-client';
import { createServer, RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeApp,
  createApp,
  PLATFORMS,
  scrape,
  startApp,
  SUITE_TIMEOUT_MS,
} from '../support/nest-app';
import type { DynamoMetricsModuleOptions } from '../../src';
import {
  DURATION,
  httpAppModule,
  ModelsController,
  ProbesController,
  series,
  VersionedController,
} from './fixtures/http-app';

/**
 * `http_route` is the route as Nest registered it, with the global prefix and the URI version;
 * the metrics route and the probes are left out by default (`exclude` replaces that list);
 * `DYN_METRICS_HTTP_SERVER` turns the metrics on and off; unknown methods are `_OTHER` unless
 * `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` knows them.
 */
const ALL = [ModelsController, ProbesController, VersionedController];

/**
 * Sends each request (method and path), then returns the duration series' counts by labels;
 * `statuses` receives the status of each response.
 */
async function countsAfter(
  platform: (typeof PLATFORMS)[number],
  options: DynamoMetricsModuleOptions,
  requests: ReadonlyArray<readonly [string, string]>,
  prefix = '',
  statuses: number[] = [],
  headers: Record<string, string> = {},
): Promise<Map<string, number>> {
  const started = await startApp(platform, httpAppModule(options, ALL), {
    configure: (app) => {
      if (prefix) app.setGlobalPrefix(prefix);
      app.enableVersioning({ type: VersioningType.URI });
    },
  });
  try {
    for (const [method, path] of requests) {
      statuses.push((await http(started.port, method, path, undefined, headers)).status);
    }
    const s = await scrape(started.app);
    return new Map(s.matching(`${DURATION}_count`).map((x) => [JSON.stringify(x.labels), x.value]));
  } finally {
    await closeApp(started.app);
  }
}

const key = (...args: Parameters<typeof series>) => JSON.stringify(series(...args));

for (const platform of PLATFORMS) {
  describe(`HTTP server metrics, routes (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    it('global prefix and URI versioning as routed; metrics route and probes excluded', async () => {
      const statuses: number[] = [];
      const counts = await withEnv({}, () =>
        countsAfter(
          platform,
          { httpServer: true, system: { enabled: true } },
          [
            ['GET', '/api/v1/models/a'],
            ['GET', '/api/v2/versioned/7'],
            ['GET', '/api/v2/versioned/8?x=1'],
            ['GET', '/api/v1/versioned/7'],
            ['GET', '/api/nope'],
            ['GET', '/nope'],
            ['GET', '/api/metrics'],
            ['GET', '/api/health'],
            ['GET', '/api/live?probe=1'],
          ],
          'api',
          statuses,
        ),
      );
      assert.deepEqual(statuses, [200, 200, 200, 404, 404, 404, 200, 200, 200]);
      assert.deepEqual(
        counts,
        new Map([
          [key('GET', '/api/v1/models/:model', 200), 1],
          [key('GET', '/api/v2/versioned/:id', 200), 2],
          [key('GET', '', 404), 3],
        ]),
      );
    });

    it('exclude replaces the default list: paths exactly, RegExps by test()', async () => {
      const counts = await countsAfter(
        platform,
        { httpServer: { exclude: ['/v1/models', /^\/v1\/models\//] } },
        [
          ['GET', '/v1/models'],
          ['GET', '/v1/models?x=1'],
          ['GET', '/v1/models/a'],
          ['GET', '/v1/models/'],
          ['GET', '/health'],
          ['GET', '/v1/bad'],
        ],
      );
      assert.deepEqual(
        counts,
        new Map([
          [key('GET', '/health', 200), 1],
          [key('GET', '/v1/bad', 400), 1],
        ]),
      );
    });

    it('DYN_METRICS_HTTP_SERVER wins over the option; off by default', async () => {
      const requests = [['GET', '/v1/models']] as const;
      const on = new Map([[key('GET', '/v1/models', 200), 1]]);
      await withEnv({ DYN_METRICS_HTTP_SERVER: 'true' }, async () => {
        assert.deepEqual(await countsAfter(platform, {}, requests), on);
      });
      await withEnv({ DYN_METRICS_HTTP_SERVER: 'false' }, async () => {
        assert.deepEqual(await countsAfter(platform, { httpServer: true }, requests), new Map());
      });
      await withEnv({}, async () => {
        assert.deepEqual(await countsAfter(platform, {}, requests), new Map());
        assert.deepEqual(
          await countsAfter(platform, { httpServer: { buckets: [1] } }, requests),
          on,
        );
      });
    });

    it('a request answered by middleware before any route code is recorded', async () => {
      const statuses: number[] = [];
      const counts = await countsAfter(
        platform,
        { httpServer: true },
        [['GET', '/v1/models']],
        '',
        statuses,
        { 'x-deny': '1' },
      );
      assert.deepEqual(statuses, [401]);
      // Fastify routes a request before its middleware runs; Express after, so the request
      // never reached a route there.
      const route = platform === 'fastify' ? '/v1/models' : '';
      assert.deepEqual(counts, new Map([[key('GET', route, 401), 1]]));
    });

    it('methods outside the known list are _OTHER; the list can be replaced', async () => {
      const requests = [
        ['PROPFIND', '/v1/models'],
        ['PURGE', '/v1/models'],
        ['POST', '/v1/models'],
      ] as const;
      assert.deepEqual(
        await countsAfter(platform, { httpServer: true }, requests),
        new Map([
          [key('_OTHER', '', 404), 2],
          [key('POST', '', 404), 1],
        ]),
      );
      await withEnv({ OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET,PROPFIND' }, async () => {
        assert.deepEqual(
          await countsAfter(platform, { httpServer: { knownMethods: ['POST'] } }, requests),
          new Map([
            [key('PROPFIND', '', 404), 1],
            [key('_OTHER', '', 404), 2],
          ]),
        );
      });
    });
  });
}

describe(
  'HTTP server metrics: Express served by servers of its own',
  { timeout: SUITE_TIMEOUT_MS },
  () => {
    it('every server that feeds the Express app is measured (Nest docs: HTTP and HTTPS at once)', async () => {
      const app = await createApp('express', httpAppModule());
      await app.init();
      const server = createServer(app.getHttpAdapter().getInstance() as RequestListener);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        assert.equal((await http(port, 'GET', '/v1/models/a')).status, 200);
        assert.equal((await http(port, 'GET', '/nope')).status, 404);
        const s = await scrape(app);
        assert.deepEqual(
          new Map(s.matching(`${DURATION}_count`).map((x) => [JSON.stringify(x.labels), x.value])),
          new Map([
            [key('GET', '/v1/models/:model', 200), 1],
            [key('GET', '', 404), 1],
          ]),
        );
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await app.close();
      }
    });
  },
);

describe('HTTP server metrics: series budget', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('a budget on the duration family sends later label sets to __overflow__', async () => {
    const counts = await countsAfter(
      'fastify',
      { httpServer: true, series: { maxSeriesPerMetric: { [DURATION]: 2 } } },
      [
        ['GET', '/v1/models'],
        ['GET', '/v1/bad'],
        ['GET', '/v1/models/a'],
        ['GET', '/nope'],
        ['GET', '/v1/models'],
      ],
    );
    const overflow = JSON.stringify({
      http_request_method: '__overflow__',
      http_route: '__overflow__',
      http_response_status_code: '__overflow__',
      error_type: '__overflow__',
    });
    assert.deepEqual(
      counts,
      new Map([
        [key('GET', '/v1/models', 200), 2],
        [key('GET', '/v1/bad', 400), 1],
        [overflow, 2],
      ]),
    );
  });
});
