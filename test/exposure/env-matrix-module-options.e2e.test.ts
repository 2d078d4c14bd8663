import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import {
  DYNAMO_METRICS_CONFIG,
  DynamoMetricsConfig,
  DynamoMetricsModule,
  DynamoMetricsModuleOptions,
  SystemServer,
} from '../../src/internal';
import { EnvVars, withEnv } from '../support/env';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { PLATFORMS, startApp } from '../support/nest-app';
import { freePort } from '../support/net';
import {
  UPTIME,
  LOOPBACK,
  appModule,
  forRoot,
  assertServesMetrics,
  assertNotListening,
} from './fixtures/env-matrix';

/**
 * forRootAsync and the module's system options, and module options against the environment (the
 * environment wins).
 */

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
