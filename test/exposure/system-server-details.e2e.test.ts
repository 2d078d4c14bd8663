import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createServer } from 'node:http';
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import {
  DynamoEndpoint,
  DynamoMetricsModule,
  negotiateContentType,
  resolveConfig,
  SystemServer,
} from '../../src/internal';
import { OPENMETRICS_TYPE, PROMETHEUS_TYPE } from '../support/content-types';
import { EnvVars, withEnv } from '../support/env';
import { sample } from '../support/exposition-parser';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { createApp } from '../support/nest-app';

/**
 * Issue 14, item 6: details of the system server (HEAD, unknown paths, absolute-form request
 * lines, OpenMetrics versions) and start-up checks (PORT = DYN_SYSTEM_PORT, bracketed IPv6
 * hosts, unknown health endpoints, a prefix that collides with the frontend family, global
 * registry metrics that our metrics would shadow).
 */

const SYSTEM: EnvVars = {
  DYN_SYSTEM_ENABLED: 'true',
  DYN_SYSTEM_PORT: '0',
  DYN_SYSTEM_HOST: '127.0.0.1',
};

function appModule(extra: { providers?: unknown[] } = {}): unknown {
  @Controller()
  class WorkController {
    @Get('generate')
    @DynamoEndpoint()
    generate(): string {
      return 'ok';
    }
  }
  @Module({
    imports: [DynamoMetricsModule.forRoot()],
    controllers: [WorkController],
    providers: (extra.providers ?? []) as never[],
  })
  class AppModule {}
  return AppModule;
}

async function withSystemApp(
  env: EnvVars,
  fn: (base: string, app: INestApplication, logger: CapturingLogger) => Promise<void>,
): Promise<void> {
  await withEnv(env, async () => {
    const logger = new CapturingLogger();
    const app = await createApp('express', appModule(), { logger });
    try {
      await app.init();
      await fn(app.get(SystemServer).url!, app, logger);
    } finally {
      await app.close();
    }
  });
}

/** Sends raw request bytes and returns the raw response (the server closes the connection). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (response += c));
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
    socket.write(text);
  });
}

function throwsMessage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: Error) => pattern.test(err.message), String(pattern));
}

describe('system server details', () => {
  it('HEAD /metrics answers the headers without rendering or counting a scrape', async () => {
    await withSystemApp(SYSTEM, async (base) => {
      for (let i = 0; i < 3; i++) {
        const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-type'), PROMETHEUS_TYPE);
        assert.equal(await head.text(), '');
      }
      const om = await fetch(`${base}/metrics`, {
        method: 'HEAD',
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      });
      assert.equal(om.headers.get('content-type'), OPENMETRICS_TYPE);
      // A scrape is counted after it renders: the first GET reads 0 when HEADs are not scrapes.
      const first = await get(`${base}/metrics`);
      assert.equal(sample(first.text, 'dynamo_system_scrapes_total{namespace="dynamo"}'), 0);
    });
  });

  it('an unknown path is 404 whatever the method; a known one refuses other methods with 405', async () => {
    await withSystemApp(SYSTEM, async (base) => {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
        const res = await fetch(`${base}/nope`, { method });
        assert.equal(res.status, 404, method);
      }
      const post = await fetch(`${base}/metrics`, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
    });
  });

  it('serves an absolute-form request line (GET http://host/metrics)', async () => {
    await withSystemApp(SYSTEM, async (base) => {
      const port = Number(new URL(base).port);
      const response = await rawRequest(
        port,
        `GET http://127.0.0.1:${port}/metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(response, /\ndynamo_system_uptime_seconds\{namespace="dynamo"\} /);
      const health = await rawRequest(
        port,
        `GET http://127.0.0.1:${port}/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      assert.match(health, /^HTTP\/1\.1 200 OK\r\n/);
    });
  });

  it('an Accept for an OpenMetrics version not written here gets the text format', async () => {
    await withSystemApp(SYSTEM, async (base) => {
      const two = await get(`${base}/metrics`, {
        accept: 'application/openmetrics-text; version=2.0.0',
      });
      assert.equal(two.headers['content-type'], PROMETHEUS_TYPE);
      assert.ok(!two.text.includes('# EOF'));
      const one = await get(`${base}/metrics`, {
        accept: 'application/openmetrics-text; version=1.0.0',
      });
      assert.equal(one.headers['content-type'], OPENMETRICS_TYPE);
    });
    assert.equal(
      negotiateContentType(
        'application/openmetrics-text;version=2.0.0,text/plain;version=0.0.4;q=0.5',
      ),
      PROMETHEUS_TYPE,
    );
    // What Prometheus 2.x sends: 1.0.0 first.
    assert.equal(
      negotiateContentType(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
      OPENMETRICS_TYPE,
    );
  });

  it('an IPv6 DYN_SYSTEM_HOST in brackets is accepted and served', async (t) => {
    assert.equal(resolveConfig({}, { DYN_SYSTEM_HOST: '[::1]' }).system.host, '::1');
    assert.equal(resolveConfig({}, { DYN_SYSTEM_HOST: '::' }).system.host, '::');
    throwsMessage(
      () => resolveConfig({}, { DYN_SYSTEM_HOST: '[127.0.0.1]' }),
      /^DYN_SYSTEM_HOST="\[127\.0\.0\.1\]" is not valid; accepted values: a host name or IP address such as 0\.0\.0\.0, 127\.0\.0\.1, :: or ::1 \(an IPv6 address may be in brackets: \[::1\]\)\.$/,
    );
    throwsMessage(() => resolveConfig({}, { DYN_SYSTEM_HOST: 'a b' }), /^DYN_SYSTEM_HOST="a b"/);
    const probe = createServer();
    const ipv6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    if (!ipv6) return t.skip('this host has no IPv6 loopback');
    await withSystemApp({ ...SYSTEM, DYN_SYSTEM_HOST: '[::1]' }, async (base) => {
      assert.match(base, /^http:\/\/\[::1\]:\d+$/);
      assert.equal((await get(`${base}/live`)).status, 200);
    });
  });

  it('PORT equal to DYN_SYSTEM_PORT is a start-up error saying so', () => {
    assert.throws(
      () => resolveConfig({}, { PORT: '8081', DYN_SYSTEM_PORT: '8081' }),
      (err: Error) =>
        err.message ===
        "DYN_SYSTEM_PORT=8081 is the same port as PORT=8081, the application's own port; give the system server another port (0 picks a free one), or leave DYN_SYSTEM_PORT empty to serve /metrics on the application's port.",
    );
    throwsMessage(
      () => resolveConfig({ system: { port: 3000 } }, { PORT: '3000' }),
      /^option system\.port=3000 is the same port as PORT=3000/,
    );
    assert.equal(resolveConfig({}, { PORT: '0', DYN_SYSTEM_PORT: '0' }).system.port, 0);
    assert.equal(resolveConfig({}, { PORT: '3000', DYN_SYSTEM_PORT: '8081' }).system.port, 8081);
  });

  it('a prefix that collides with the frontend family names the variable (or option) that set it', () => {
    throwsMessage(
      // DYN_METRICS_PREFIX names the frontend family (Dynamo's meaning), so it is the one named.
      () => resolveConfig({ prefix: 'front' }, { DYN_METRICS_PREFIX: 'front' }),
      /^option prefix="front" is the LLM frontend's prefix too \(DYN_METRICS_PREFIX\): the worker metrics front_requests_total/,
    );
    throwsMessage(
      () => resolveConfig({ prefix: 'front', frontend: { prefix: 'front' } }, {}),
      /^option prefix="front" is the LLM frontend's prefix too/,
    );
  });

  it('an endpoint in DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS that no handler has is a start-up warning', async () => {
    await withSystemApp(
      { ...SYSTEM, DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '["generate","genrate"]' },
      async (_base, _app, logger) => {
        const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
        assert.deepEqual(warnings, [
          'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS lists "genrate", which no decorated handler has, so /health will never be ready; endpoints found: "generate".',
        ]);
      },
    );
    await withSystemApp(
      { ...SYSTEM, DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '["generate"]' },
      async (_base, _app, logger) => {
        assert.deepEqual(
          logger.lines.filter((l) => l.level === 'warn'),
          [],
        );
      },
    );
  });

  it('a willsoto metric that one of ours would shadow in /metrics stops start-up, naming both', async () => {
    await withEnv({}, async () => {
      const module = appModule({
        providers: [makeCounterProvider({ name: 'dynamo_system_scrapes', help: 'Mine' })],
      });
      let app: INestApplication | undefined;
      try {
        await assert.rejects(
          (async () => {
            // The clash is found at creation or in onModuleInit, whichever registers last.
            app = await createApp('express', module);
            await app.init();
          })(),
          (err: Error) =>
            err.message.startsWith(
              'Metric "dynamo_system_scrapes_total" (counter) clashes with prom-client\'s global registry metric "dynamo_system_scrapes" (counter)',
            ),
        );
      } finally {
        await app?.close().catch(() => undefined);
        register.removeSingleMetric('dynamo_system_scrapes');
      }
    });
  });
});
