import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import { DistributedRuntime, SystemServer } from '../../src';
import { withEnv } from '../support/env';
import { sample } from '../support/exposition-parser';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { PLATFORMS, startApp } from '../support/nest-app';
import { freePort } from '../support/net';
import {
  UPTIME,
  GENERATE_REQUESTS,
  LOOPBACK,
  forRoot,
  assertServesMetrics,
  assertNotListening,
} from './fixtures/env-matrix';

/**
 * DESIGN.md section 7 end to end: every combination of DYN_SYSTEM_ENABLED and DYN_SYSTEM_PORT on
 * Express and Fastify. Real apps on 127.0.0.1, real HTTP.
 */

describe('DYN_SYSTEM_ENABLED x DYN_SYSTEM_PORT', () => {
  for (const platform of PLATFORMS) {
    describe(platform, () => {
      for (const enabled of [undefined, 'false', 'true'] as const) {
        for (const portKind of ['unset', 'fixed', '0'] as const) {
          it(`DYN_SYSTEM_ENABLED=${enabled ?? '(unset)'} DYN_SYSTEM_PORT=${portKind}`, async () => {
            const fixed = portKind === 'fixed' ? await freePort() : undefined;
            const portEnv =
              portKind === 'unset' ? undefined : portKind === '0' ? '0' : String(fixed);
            await withEnv(
              { ...LOOPBACK, DYN_SYSTEM_ENABLED: enabled, DYN_SYSTEM_PORT: portEnv },
              async () => {
                const logger = new CapturingLogger();
                const { app, url } = await startApp(platform, forRoot(), { logger });
                try {
                  // Decorated traffic, recorded whatever the exposure.
                  assert.equal((await get(`${url}/generate`)).status, 200);
                  const system = app.get(SystemServer);
                  if (enabled !== 'true') {
                    await assertDisabled(app, url, system, fixed);
                  } else if (portKind === 'unset') {
                    assert.equal(system.port, undefined, 'no system server without a port');
                    await assertServesMetrics(url, `${platform} in-app`);
                    assert.equal((await get(`${url}/health`)).status, 404, 'no /health in-app');
                  } else {
                    await assertSystemServer(app, url, system, logger, fixed);
                  }
                } finally {
                  await app.close();
                }
              },
            );
          });
        }
      }
    });
  }
});

async function assertDisabled(
  app: INestApplication,
  url: string,
  system: SystemServer,
  fixed: number | undefined,
): Promise<void> {
  assert.equal((await get(`${url}/metrics`)).status, 404, 'disabled: no /metrics route');
  assert.equal(system.port, undefined, 'disabled: no system server');
  assert.equal(system.url, undefined);
  if (fixed !== undefined) await assertNotListening(fixed);
  // Still recorded, and readable through the API.
  const text = await app.get(DistributedRuntime).prometheusMetricsFmt();
  assert.equal(sample(text, GENERATE_REQUESTS), 1, text);
  assert.ok(text.includes(`${UPTIME} `));
}

async function assertSystemServer(
  app: INestApplication,
  url: string,
  system: SystemServer,
  logger: CapturingLogger,
  fixed: number | undefined,
): Promise<void> {
  const port = system.port;
  assert.ok(port !== undefined && port > 0, `a real port, got ${port}`);
  if (fixed !== undefined) assert.equal(port, fixed);
  const appPort = Number(new URL(url).port);
  assert.notEqual(port, appPort, 'a port of its own');
  const base = `http://127.0.0.1:${port}`;
  assert.equal(system.url, base);

  // One clear log line (at `log`, the start-up summary) names the port.
  const naming = logger.lines.filter((l) => l.message.includes(`:${port}`) && l.level === 'log');
  assert.equal(naming.length, 1, `one log line names the port: ${JSON.stringify(logger.lines)}`);
  assert.equal(naming[0]!.context, 'DynamoMetrics');
  assert.match(
    naming[0]!.message,
    /^Metrics served by the system server listening on 127\.0\.0\.1:\d+: http:\/\/127\.0\.0\.1:\d+\/metrics, http:\/\/127\.0\.0\.1:\d+\/health, http:\/\/127\.0\.0\.1:\d+\/live; /,
  );

  await assertServesMetrics(base, 'system server');
  const scraped = await get(`${base}/metrics`);
  assert.equal(
    sample(scraped.text, GENERATE_REQUESTS),
    1,
    'decorated traffic on the system server',
  );

  const health = await get(`${base}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.headers['content-type'], 'application/json');
  const report = JSON.parse(health.text) as { status: string; uptime: number; endpoints: object };
  assert.equal(report.status, 'ready');
  assert.equal(typeof report.uptime, 'number');
  assert.deepEqual(report.endpoints, { generate: 'ready' });

  const live = await get(`${base}/live`);
  assert.equal(live.status, 200);
  assert.deepEqual(JSON.parse(live.text), { status: 'live' });

  for (const path of ['/', '/metrics/', '/metricsx', '/healthz', '/api/metrics', '/generate']) {
    assert.equal((await get(`${base}${path}`)).status, 404, `system server ${path}`);
  }
  assert.equal((await get(`${base}/metrics?debug=1`)).status, 200, 'query string ignored');
  const post = await fetch(`${base}/metrics`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  await post.text();
  const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');

  // The application's own server does not mount the route.
  assert.equal((await get(`${url}/metrics`)).status, 404, 'app /metrics not mounted');
  assert.equal((await get(`${url}/health`)).status, 404);
}
