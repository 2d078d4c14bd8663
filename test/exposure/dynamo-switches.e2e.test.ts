import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import { DynamoMetricsModule, HealthService, SystemServer } from '../../src';
import { EnvVars, withEnv } from '../support/env';
import { get, HttpResult } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { createApp } from '../support/nest-app';

/**
 * Today's Dynamo environment on a real app: under DYN_METRICS_NAMING=component DYN_SYSTEM_PORT
 * alone starts the system server and /live follows readiness; under classic (the guide) the
 * port alone starts nothing and the start-up line says why; the probe paths move with
 * DYN_SYSTEM_HEALTH_PATH and DYN_SYSTEM_LIVE_PATH.
 */

async function withApp(
  env: EnvVars,
  fn: (app: {
    server: SystemServer;
    health: HealthService;
    logger: CapturingLogger;
  }) => Promise<void>,
): Promise<void> {
  await withEnv({ DYN_SYSTEM_HOST: '127.0.0.1', ...env }, async () => {
    @Module({ imports: [DynamoMetricsModule.forRoot()] })
    class AppModule {}
    const logger = new CapturingLogger();
    const app = await createApp('express', AppModule, { logger });
    try {
      await app.init();
      await fn({ server: app.get(SystemServer), health: app.get(HealthService), logger });
    } finally {
      await app.close();
    }
  });
}

const summary = (logger: CapturingLogger): string =>
  logger.lines.find((l) => l.level === 'log' && l.message.startsWith('Metrics '))!.message;

const json = (res: HttpResult): unknown => JSON.parse(res.text);

describe('DYN_METRICS_NAMING=component: the port alone, and /live follows readiness', () => {
  it('starts the system server; /live answers as /health does, 503 while not ready', async () => {
    await withApp(
      { DYN_METRICS_NAMING: 'component', DYN_SYSTEM_PORT: '0' },
      async ({ server, health, logger }) => {
        assert.ok(server.port, 'the system server listens');
        assert.match(
          summary(logger),
          /^Metrics served by the system server listening on 127\.0\.0\.1:\d+: http:\/\/127\.0\.0\.1:\d+\/metrics, http:\/\/127\.0\.0\.1:\d+\/health, http:\/\/127\.0\.0\.1:\d+\/live; /,
        );
        const ready = await get(`${server.url}/live`);
        assert.equal(ready.status, 200);
        assert.equal((json(ready) as { status: string }).status, 'ready');
        health.setSystemStatus('notready');
        const [live, healthRes] = [
          await get(`${server.url}/live`),
          await get(`${server.url}/health`),
        ];
        assert.equal(live.status, 503);
        assert.equal(healthRes.status, 503);
        const { uptime: _a, ...liveBody } = json(live) as Record<string, unknown>;
        const { uptime: _b, ...healthBody } = json(healthRes) as Record<string, unknown>;
        assert.deepEqual(liveBody, healthBody);
        assert.deepEqual(liveBody, { status: 'notready', endpoints: {} });
        const metrics = await get(`${server.url}/metrics`);
        assert.match(
          metrics.text,
          /^dynamo_component_uptime_seconds\{dynamo_namespace="dynamo"\} /m,
        );
      },
    );
  });

  it('DYN_SYSTEM_ENABLED=false still turns it off, and the start-up line says the port is ignored', async () => {
    await withApp(
      { DYN_METRICS_NAMING: 'component', DYN_SYSTEM_PORT: '0', DYN_SYSTEM_ENABLED: 'false' },
      async ({ server, logger }) => {
        assert.equal(server.port, undefined);
        assert.match(
          summary(logger),
          /^Metrics recorded, not served \(DYN_SYSTEM_ENABLED is not true\); DYN_SYSTEM_PORT=0 is ignored, DYN_SYSTEM_ENABLED=false turns exposure off; /,
        );
      },
    );
  });
});

describe('classic naming: the guide wants DYN_SYSTEM_ENABLED=true too', () => {
  it('the port alone starts nothing, and the start-up line says why', async () => {
    await withApp({ DYN_SYSTEM_PORT: '0' }, async ({ server, logger }) => {
      assert.equal(server.port, undefined);
      assert.equal(
        summary(logger),
        'Metrics recorded, not served (DYN_SYSTEM_ENABLED is not true); DYN_SYSTEM_PORT=0 is ' +
          'ignored, the classic naming needs DYN_SYSTEM_ENABLED=true as well, as the Dynamo guide ' +
          'says (under DYN_METRICS_NAMING=component the port alone starts the system server); ' +
          'no decorated handlers, 3 metrics',
      );
    });
  });

  it('/live answers 200 while the process serves, whatever /health says', async () => {
    await withApp(
      { DYN_SYSTEM_PORT: '0', DYN_SYSTEM_ENABLED: 'true' },
      async ({ server, health }) => {
        health.setSystemStatus('notready');
        assert.equal((await get(`${server.url}/health`)).status, 503);
        const live = await get(`${server.url}/live`);
        assert.equal(live.status, 200);
        assert.deepEqual(json(live), { status: 'live' });
      },
    );
  });
});

describe('DYN_SYSTEM_HEALTH_PATH and DYN_SYSTEM_LIVE_PATH', () => {
  it('move the probes; the old paths are 404; the status page reads the new health path', async () => {
    await withApp(
      {
        DYN_SYSTEM_PORT: '0',
        DYN_SYSTEM_ENABLED: 'true',
        DYN_SYSTEM_HEALTH_PATH: '/healthz',
        DYN_SYSTEM_LIVE_PATH: '/custom/live',
        DYN_SYSTEM_STATUS_PAGE: 'true',
      },
      async ({ server, logger }) => {
        assert.equal((await get(`${server.url}/healthz`)).status, 200);
        assert.deepEqual(json(await get(`${server.url}/custom/live`)), { status: 'live' });
        assert.equal((await get(`${server.url}/health`)).status, 404);
        assert.equal((await get(`${server.url}/live`)).status, 404);
        assert.match((await get(`${server.url}/`)).text, /data-health-path="\/healthz"/);
        assert.match(
          summary(logger),
          /^Metrics served by the system server listening on 127\.0\.0\.1:\d+: http:\/\/127\.0\.0\.1:\d+\/metrics, http:\/\/127\.0\.0\.1:\d+\/healthz, http:\/\/127\.0\.0\.1:\d+\/custom\/live, status page http:\/\/127\.0\.0\.1:\d+\/; /,
        );
      },
    );
  });
});
