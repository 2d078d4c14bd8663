import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  INestApplication,
  Injectable,
  Module,
  NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { map, Observable } from 'rxjs';
import {
  DistributedRuntime,
  DYNAMO_METRICS_CONFIG,
  DynamoEndpoint,
  DynamoMetricsConfig,
  DynamoMetricsController,
  DynamoMetricsModule,
  DynamoMetricsModuleOptions,
  SystemServer,
} from '../../src/internal';
import { OPENMETRICS_ACCEPT, OPENMETRICS_TYPE, PROMETHEUS_TYPE } from '../support/content-types';
import { EnvVars, withEnv } from '../support/env';
import { sample } from '../support/exposition-parser';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { PLATFORMS, startApp } from '../support/nest-app';
import { freePort, occupy, release, sleep } from '../support/net';

/**
 * DESIGN.md section 7 end to end: every combination of DYN_SYSTEM_ENABLED and DYN_SYSTEM_PORT on
 * Express and Fastify, global prefix, global guard and interceptor, forRootAsync, and options
 * against environment. Real apps on 127.0.0.1, real HTTP.
 */

const UPTIME = 'dynamo_system_uptime_seconds{namespace="dynamo"}';
const SCRAPES = 'dynamo_system_scrapes_total{namespace="dynamo"}';
const GENERATE_REQUESTS =
  'dynamo_requests_total{namespace="dynamo",component="work",endpoint="generate"}';

/** The system server binds 127.0.0.1 in these tests (its default is 0.0.0.0). */
const LOOPBACK: EnvVars = { DYN_SYSTEM_HOST: '127.0.0.1' };

/** A fresh app module (fresh classes, so each app instruments its own) around the given import. */
function appModule(dynamo: unknown, providers: unknown[] = []): unknown {
  @Controller()
  class WorkController {
    @Get('generate')
    @DynamoEndpoint()
    generate(): string {
      return 'ok';
    }
  }
  @Module({
    imports: [dynamo as never],
    controllers: [WorkController],
    providers: providers as never,
  })
  class AppModule {}
  return AppModule;
}

const forRoot = (options?: DynamoMetricsModuleOptions): unknown =>
  appModule(DynamoMetricsModule.forRoot(options));

async function assertServesMetrics(base: string, what: string): Promise<void> {
  const first = await get(`${base}/metrics`);
  assert.equal(first.status, 200, `${what}: GET /metrics`);
  assert.equal(first.headers['content-type'], PROMETHEUS_TYPE, `${what}: classic content type`);
  assert.ok(first.text.includes(`${UPTIME} `), `${what}: uptime gauge present:\n${first.text}`);
  assert.ok(!first.text.includes('# EOF'), `${what}: classic text has no # EOF`);
  await sleep(30);
  const second = await get(`${base}/metrics`);
  assert.equal(second.status, 200);
  const [u1, u2] = [sample(first.text, UPTIME), sample(second.text, UPTIME)];
  assert.ok(
    u1 !== undefined && u2 !== undefined && u2 > u1,
    `${what}: uptime grows (${u1} -> ${u2})`,
  );
  // Every caller scrapes a fresh app here. A scrape counts itself after rendering: the counter
  // shows the scrapes served before it, so 0 on the first.
  assert.equal(sample(first.text, SCRAPES), 0, `${what}: first scrape sees none before it`);
  assert.equal(sample(second.text, SCRAPES), 1, `${what}: one more scrape counted`);

  const om = await get(`${base}/metrics`, { accept: OPENMETRICS_ACCEPT });
  assert.equal(om.status, 200, `${what}: OpenMetrics scrape`);
  assert.equal(om.headers['content-type'], OPENMETRICS_TYPE, `${what}: OpenMetrics content type`);
  assert.ok(om.text.endsWith('# EOF\n'), `${what}: OpenMetrics ends with # EOF`);
  assert.ok(om.text.includes(`${UPTIME} `), `${what}: uptime in OpenMetrics`);
  assert.equal(sample(om.text, SCRAPES), 2, `${what}: OpenMetrics scrapes counted too`);
  // Prometheus 2.x's real Accept header negotiates OpenMetrics as well.
  const prometheusAccept =
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
    'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  const real = await get(`${base}/metrics`, { accept: prometheusAccept });
  assert.equal(
    real.headers['content-type'],
    OPENMETRICS_TYPE,
    `${what}: Prometheus' own Accept header`,
  );
}

async function assertNotListening(port: number): Promise<void> {
  // Binding the port ourselves proves nobody listens on it.
  await release(await occupy(port));
}

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

describe('global prefix', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: setGlobalPrefix('api') moves the in-app route to /api/metrics`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const { app, url } = await startApp(platform, forRoot(), {
          configure: (a) => a.setGlobalPrefix('api'),
        });
        try {
          assert.equal((await get(`${url}/metrics`)).status, 404);
          const moved = await get(`${url}/api/metrics`);
          assert.equal(moved.status, 200);
          assert.equal(moved.headers['content-type'], PROMETHEUS_TYPE);
          assert.ok(moved.text.includes(UPTIME));
        } finally {
          await app.close();
        }
      });
    });

    for (const exclude of ['metrics', '/metrics']) {
      it(`${platform}: setGlobalPrefix('api', { exclude: ['${exclude}'] }) keeps /metrics`, async () => {
        await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
          const { app, url } = await startApp(platform, forRoot(), {
            configure: (a) => a.setGlobalPrefix('api', { exclude: [exclude] }),
          });
          try {
            const kept = await get(`${url}/metrics`);
            assert.equal(kept.status, 200);
            assert.equal(kept.headers['content-type'], PROMETHEUS_TYPE);
            assert.equal((await get(`${url}/api/metrics`)).status, 404);
            // Other routes still get the prefix.
            assert.equal((await get(`${url}/api/generate`)).status, 200);
            assert.equal((await get(`${url}/generate`)).status, 404);
          } finally {
            await app.close();
          }
        });
      });
    }

    it(`${platform}: a global prefix does not touch the system server`, async () => {
      await withEnv({ ...LOOPBACK, DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' }, async () => {
        const { app, url } = await startApp(platform, forRoot(), {
          configure: (a) => a.setGlobalPrefix('api'),
        });
        try {
          const base = app.get(SystemServer).url!;
          assert.equal((await get(`${base}/metrics`)).status, 200);
          assert.equal((await get(`${base}/api/metrics`)).status, 404);
          assert.equal((await get(`${url}/api/metrics`)).status, 404);
        } finally {
          await app.close();
        }
      });
    });
  }
});

@Injectable()
class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** The workaround for the README: let the metrics controller through a global guard. */
@Injectable()
class DenyAllButMetrics implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.getClass().prototype instanceof DynamoMetricsController;
  }
}

/** A common response-wrapping interceptor (`{ data: ... }`). */
@Injectable()
class WrapInData implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}

describe('global guards and interceptors', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: an APP_GUARD that denies everything blocks in-app /metrics (403)`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const module = forRootWith([{ provide: APP_GUARD, useClass: DenyAll }]);
        const { app, url } = await startApp(platform, module);
        try {
          const res = await get(`${url}/metrics`);
          assert.equal(res.status, 403);
          assert.ok(!res.text.includes(UPTIME));
          assert.equal((await get(`${url}/generate`)).status, 403);
        } finally {
          await app.close();
        }
      });
    });

    it(`${platform}: a guard can exempt DynamoMetricsController by class`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const module = forRootWith([{ provide: APP_GUARD, useClass: DenyAllButMetrics }]);
        const { app, url } = await startApp(platform, module);
        try {
          assert.equal((await get(`${url}/metrics`)).status, 200);
          assert.equal((await get(`${url}/generate`)).status, 403);
        } finally {
          await app.close();
        }
      });
    });

    it(`${platform}: the system server is not behind Nest guards`, async () => {
      await withEnv({ ...LOOPBACK, DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' }, async () => {
        const module = forRootWith([{ provide: APP_GUARD, useClass: DenyAll }]);
        const { app, url } = await startApp(platform, module);
        try {
          const base = app.get(SystemServer).url!;
          assert.equal((await get(`${base}/metrics`)).status, 200);
          assert.equal((await get(`${base}/health`)).status, 200);
          assert.equal((await get(`${base}/live`)).status, 200);
          assert.equal((await get(`${url}/generate`)).status, 403);
        } finally {
          await app.close();
        }
      });
    });

    it(`${platform}: the system server is not behind Nest interceptors`, async () => {
      await withEnv({ ...LOOPBACK, DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' }, async () => {
        const module = forRootWith([{ provide: APP_INTERCEPTOR, useClass: WrapInData }]);
        const { app } = await startApp(platform, module);
        try {
          const res = await get(`${app.get(SystemServer).url!}/metrics`);
          assert.equal(res.status, 200);
          assert.ok(res.text.startsWith('# HELP'));
        } finally {
          await app.close();
        }
      });
    });

    // The controller sends the body itself, so response-shaping interceptors cannot rewrite it.
    it(`${platform}: a response-wrapping APP_INTERCEPTOR leaves in-app /metrics intact`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const module = forRootWith([{ provide: APP_INTERCEPTOR, useClass: WrapInData }]);
        const { app, url } = await startApp(platform, module);
        try {
          const res = await get(`${url}/metrics`);
          assert.equal(res.status, 200, res.text.slice(0, 200));
          assert.ok(res.text.startsWith('# HELP'), res.text.slice(0, 200));
        } finally {
          await app.close();
        }
      });
    });
  }
});

function forRootWith(providers: unknown[], options?: DynamoMetricsModuleOptions): unknown {
  return appModule(DynamoMetricsModule.forRoot(options), providers);
}

describe('forRootAsync', () => {
  const asyncModule = (system: DynamoMetricsModuleOptions['system'] | undefined): unknown =>
    appModule(
      DynamoMetricsModule.forRootAsync({
        useFactory: async () => (system === undefined ? {} : { system }),
      }),
    );

  for (const platform of PLATFORMS) {
    it(`${platform}: useFactory enabled: true serves /metrics in-app`, async () => {
      await withEnv({}, async () => {
        const { app, url } = await startApp(platform, asyncModule({ enabled: true }));
        try {
          assert.equal(app.get(SystemServer).port, undefined);
          await assertServesMetrics(url, `${platform} forRootAsync`);
        } finally {
          await app.close();
        }
      });
    });

    for (const system of [{ enabled: false }, undefined]) {
      it(`${platform}: useFactory ${JSON.stringify(system ?? {})} answers 404`, async () => {
        await withEnv({}, async () => {
          const { app, url } = await startApp(platform, asyncModule(system));
          try {
            const res = await get(`${url}/metrics`);
            assert.equal(res.status, 404);
            assert.ok(!res.text.includes(UPTIME));
            assert.equal(app.get(SystemServer).port, undefined);
          } finally {
            await app.close();
          }
        });
      });
    }

    it(`${platform}: useFactory with port 0 starts the system server, in-app 404`, async () => {
      await withEnv(LOOPBACK, async () => {
        const { app, url } = await startApp(platform, asyncModule({ enabled: true, port: 0 }));
        try {
          const system = app.get(SystemServer);
          assert.ok(system.port! > 0);
          assert.equal((await get(`${system.url!}/metrics`)).status, 200);
          assert.equal((await get(`${url}/metrics`)).status, 404);
        } finally {
          await app.close();
        }
      });
    });

    it(`${platform}: DYN_SYSTEM_ENABLED=true wins over a factory's enabled: false`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const { app, url } = await startApp(platform, asyncModule({ enabled: false }));
        try {
          assert.equal((await get(`${url}/metrics`)).status, 200);
        } finally {
          await app.close();
        }
      });
    });

    // forRootAsync() mounts its route before the factory runs, so the path is its `metricsPath` extra.
    it(`${platform}: forRootAsync({ metricsPath: '/prom' }) serves /prom in-app`, async () => {
      await withEnv({}, async () => {
        const module = appModule(
          DynamoMetricsModule.forRootAsync({
            metricsPath: '/prom',
            useFactory: async () => ({ system: { enabled: true } }),
          }),
        );
        const { app, url } = await startApp(platform, module);
        try {
          assert.equal((await get(`${url}/prom`)).status, 200);
          assert.equal((await get(`${url}/metrics`)).status, 404);
        } finally {
          await app.close();
        }
      });
    });
  }

  // Observed: @willsoto/nestjs-prometheus stores the route path on the controller class when
  // PrometheusModule.register() runs, i.e. when forRoot() is called, and every forRoot()/
  // forRootAsync() shares DynamoMetricsController. A later definition (a second app in the
  // process, another test module) moves the route of an app defined earlier. See the report.
  it('a later forRoot() does not move the in-app route of an earlier one', async () => {
    for (const platform of PLATFORMS) {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const first = forRoot({ system: { metricsPath: '/prom' } });
        forRoot(); // another definition, default path
        const { app, url } = await startApp(platform, first);
        try {
          assert.equal((await get(`${url}/prom`)).status, 200, `${platform} /prom`);
          assert.equal((await get(`${url}/metrics`)).status, 404, `${platform} /metrics`);
        } finally {
          await app.close();
        }
      });
    }
  });

  it('forRoot honours system.metricsPath in-app and on the system server', async () => {
    for (const platform of PLATFORMS) {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true' }, async () => {
        const { app, url } = await startApp(
          platform,
          forRoot({ system: { metricsPath: '/prom' } }),
        );
        try {
          assert.equal((await get(`${url}/prom`)).status, 200);
          assert.equal((await get(`${url}/metrics`)).status, 404);
        } finally {
          await app.close();
        }
      });
      await withEnv({ ...LOOPBACK, DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' }, async () => {
        const { app } = await startApp(platform, forRoot({ system: { metricsPath: '/prom' } }));
        try {
          const base = app.get(SystemServer).url!;
          assert.equal((await get(`${base}/prom`)).status, 200);
          assert.equal((await get(`${base}/metrics`)).status, 404);
        } finally {
          await app.close();
        }
      });
    }
  });
});

describe('module options against the environment (the environment wins)', () => {
  interface Case {
    name: string;
    options: (fixed: number) => DynamoMetricsModuleOptions;
    env: (fixed: number) => EnvVars;
    check: (
      app: INestApplication,
      url: string,
      fixed: number,
      logger: CapturingLogger,
    ) => Promise<void>;
  }
  const inApp = async (_app: INestApplication, url: string) => {
    assert.equal((await get(`${url}/metrics`)).status, 200);
  };
  const cases: Case[] = [
    {
      name: 'option port 0 + DYN_SYSTEM_PORT= (empty, counts as unset): the option is used',
      options: () => ({ system: { enabled: true, port: 0 } }),
      env: () => ({ DYN_SYSTEM_PORT: '' }),
      check: async (app, url) => {
        const system = app.get(SystemServer);
        assert.ok(system.port! > 0);
        assert.equal((await get(`${system.url!}/metrics`)).status, 200);
        assert.equal((await get(`${url}/metrics`)).status, 404);
      },
    },
    {
      name: 'option enabled false + DYN_SYSTEM_ENABLED=true: enabled',
      options: () => ({ system: { enabled: false } }),
      env: () => ({ DYN_SYSTEM_ENABLED: 'true' }),
      check: inApp,
    },
    {
      name: 'option enabled true + DYN_SYSTEM_ENABLED=false: disabled',
      options: () => ({ system: { enabled: true, port: 0 } }),
      env: () => ({ DYN_SYSTEM_ENABLED: 'false' }),
      check: async (app, url) => {
        assert.equal(app.get(SystemServer).port, undefined);
        assert.equal((await get(`${url}/metrics`)).status, 404);
      },
    },
    {
      name: 'option enabled true + DYN_SYSTEM_ENABLED="   " (blank, unset): the option is used',
      options: () => ({ system: { enabled: true } }),
      env: () => ({ DYN_SYSTEM_ENABLED: '   ' }),
      check: inApp,
    },
    {
      name: 'DYN_SYSTEM_ENABLED=" TRUE " is trimmed and case-insensitive',
      options: () => ({}),
      env: () => ({ DYN_SYSTEM_ENABLED: ' TRUE ' }),
      check: inApp,
    },
    {
      name: 'option port P + DYN_SYSTEM_PORT=0: a random port, not P',
      options: (fixed) => ({ system: { enabled: true, port: fixed } }),
      env: () => ({ DYN_SYSTEM_PORT: '0' }),
      check: async (app, _url, fixed) => {
        const port = app.get(SystemServer).port!;
        assert.ok(port > 0);
        assert.notEqual(port, fixed);
        await assertNotListening(fixed);
      },
    },
    {
      name: 'option port 0 + DYN_SYSTEM_PORT=P: P',
      options: () => ({ system: { enabled: true, port: 0 } }),
      env: (fixed) => ({ DYN_SYSTEM_PORT: String(fixed) }),
      check: async (app, _url, fixed) => {
        assert.equal(app.get(SystemServer).port, fixed);
        assert.equal((await get(`http://127.0.0.1:${fixed}/live`)).status, 200);
      },
    },
    {
      name: 'option port unset (in-app) + DYN_SYSTEM_PORT=0: the system server',
      options: () => ({ system: { enabled: true } }),
      env: () => ({ DYN_SYSTEM_PORT: '0' }),
      check: async (app, url) => {
        assert.ok(app.get(SystemServer).port! > 0);
        assert.equal((await get(`${url}/metrics`)).status, 404);
      },
    },
    {
      // As in Dynamo, the variable renames the LLM frontend family; the hierarchy keeps the option.
      name: 'option frontend.prefix + DYN_METRICS_PREFIX: the variable names the frontend family',
      options: () => ({
        prefix: 'from_option',
        frontend: { prefix: 'frontend_option' },
        system: { enabled: true },
      }),
      env: () => ({ DYN_METRICS_PREFIX: 'from_env' }),
      check: async (app, url) => {
        const { text: body } = await get(`${url}/metrics`);
        assert.ok(body.includes('from_option_system_uptime_seconds{namespace="dynamo"}'), body);
        assert.ok(body.includes('from_option_requests_total{'), body);
        assert.equal(
          app.get<DynamoMetricsConfig>(DYNAMO_METRICS_CONFIG).frontendPrefix,
          'from_env',
        );
        assert.ok(!body.includes('from_env_system_uptime_seconds'));
        assert.ok(!body.includes('frontend_option_'));
        assert.ok(!body.includes('nv_llm_http_service_'));
        assert.ok(!body.includes('dynamo_system_uptime_seconds'));
      },
    },
    {
      name: 'option host + DYN_SYSTEM_HOST: the variable is the bind address',
      options: () => ({ system: { enabled: true, port: 0, host: '0.0.0.0' } }),
      env: () => ({ DYN_SYSTEM_HOST: '127.0.0.1' }),
      check: async (app, _url, _fixed, logger) => {
        const system = app.get(SystemServer);
        const line = logger.lines.find((l) => l.message.includes(`:${system.port}`));
        assert.match(line?.message ?? '', /listening on 127\.0\.0\.1:\d+: /);
      },
    },
  ];

  for (const platform of PLATFORMS) {
    for (const c of cases) {
      it(`${platform}: ${c.name}`, async () => {
        const fixed = await freePort();
        await withEnv({ ...LOOPBACK, ...c.env(fixed) }, async () => {
          const logger = new CapturingLogger();
          const { app, url } = await startApp(platform, forRoot(c.options(fixed)), { logger });
          try {
            await c.check(app, url, fixed, logger);
          } finally {
            await app.close();
          }
        });
      });
    }
  }
});
