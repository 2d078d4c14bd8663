import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '@nestjs/common';
import {
  DEFAULT_SYSTEM_CONNECTIONS,
  DynamoMetricsError,
  DynamoMetricsModule,
  DynamoMetricsModuleOptions,
  ENV,
  resolveConfig,
  SystemServer,
} from '../../src/internal';
import { ChildResult, runNode } from '../support/child-process';
import { EnvVars, withEnv } from '../support/env';
import { createApp, PLATFORMS } from '../support/nest-app';
import { occupy, release } from '../support/net';
import { fixtureScript } from './fixtures/script';

/**
 * Bad configuration stops start-up with a message naming the variable and the accepted values:
 * through resolveConfig() directly, in-process through the module, and in a real child process
 * (the compiled fixture app) that must exit non-zero without ever saying it started.
 */

interface BadValue {
  name: keyof typeof VARS;
  value: string;
  /** A fragment of the accepted values the message must list. */
  accepted: string;
}

const VARS = {
  DYN_SYSTEM_PORT: 'a whole number from 0 to 65535',
  DYN_SYSTEM_ENABLED: '"true" or "false"',
  DYN_SYSTEM_STARTING_HEALTH_STATUS: '"ready" or "notready"',
  DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: 'a JSON array of endpoint names',
  DYN_METRICS_PREFIX: '[a-zA-Z_:][a-zA-Z0-9_:]*',
  DYN_SYSTEM_HOST: 'a host name or IP address',
  OTEL_METRICS_EXPORTER: '"otlp"',
} as const;

const bad = (name: keyof typeof VARS, value: string): BadValue => ({
  name,
  value,
  accepted: VARS[name],
});

/** The values the brief names; each must fail in every path. */
const BAD: BadValue[] = [
  bad('DYN_SYSTEM_PORT', 'abc'),
  bad('DYN_SYSTEM_PORT', '-1'),
  bad('DYN_SYSTEM_PORT', '70000'),
  bad('DYN_SYSTEM_ENABLED', 'perhaps'),
  bad('DYN_SYSTEM_ENABLED', 'yes please'),
  bad('DYN_SYSTEM_STARTING_HEALTH_STATUS', 'maybe'),
  bad('DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', 'generate'),
  bad('DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', '[1]'),
  bad('DYN_METRICS_PREFIX', 'bad-prefix'),
  bad('OTEL_METRICS_EXPORTER', 'console'),
];

/** More edge values, checked through resolveConfig only. */
const MORE_BAD: BadValue[] = [
  bad('DYN_SYSTEM_PORT', '65536'),
  bad('DYN_SYSTEM_PORT', '1.5'),
  bad('DYN_SYSTEM_PORT', '0x50'),
  bad('DYN_SYSTEM_PORT', '80 81'),
  bad('DYN_SYSTEM_ENABLED', '1'),
  bad('DYN_SYSTEM_ENABLED', 'yes'),
  bad('DYN_SYSTEM_ENABLED', 'on'),
  bad('DYN_SYSTEM_STARTING_HEALTH_STATUS', 'Ready'),
  bad('DYN_SYSTEM_STARTING_HEALTH_STATUS', 'not_ready'),
  bad('DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', '{"generate":true}'),
  bad('DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', '"generate"'),
  bad('DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', '[""]'),
  bad('DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', '["generate",'),
  bad('DYN_METRICS_PREFIX', '1abc'),
  bad('DYN_METRICS_PREFIX', 'has space'),
  bad('DYN_SYSTEM_HOST', 'bad host!'),
];

/** The system server settings nothing here sets (test/exposure/system-server-config.test.ts does). */
const SERVER_DEFAULTS = {
  healthPath: '/health',
  livePath: '/live',
  protectProbes: false,
  connections: DEFAULT_SYSTEM_CONNECTIONS,
};

/** What the message must say: the variable, the value as given, and the accepted values. */
function assertNamesIt(message: string, b: BadValue): void {
  assert.ok(
    message.includes(`${b.name}=${JSON.stringify(b.value)}`),
    `names ${b.name} and the value: ${message}`,
  );
  assert.ok(message.includes('accepted values'), `lists accepted values: ${message}`);
  assert.ok(message.includes(b.accepted), `lists ${b.accepted}: ${message}`);
}

describe('resolveConfig() rejects bad environment values', () => {
  for (const b of [...BAD, ...MORE_BAD]) {
    it(`${b.name}=${JSON.stringify(b.value)}`, () => {
      assert.throws(
        () => resolveConfig({}, { [b.name]: b.value }),
        (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError, `a DynamoMetricsError: ${String(err)}`);
          assertNamesIt(err.message, b);
          return true;
        },
      );
    });
  }

  it('the environment is checked even when a valid option is given (it would win)', () => {
    assert.throws(
      () => resolveConfig({ system: { port: 9090 } }, { DYN_SYSTEM_PORT: '70000' }),
      /^DynamoMetricsError: DYN_SYSTEM_PORT="70000" is not valid/,
    );
  });

  it('surrounding blanks are trimmed before checking and in the message', () => {
    assert.equal(resolveConfig({}, { DYN_SYSTEM_PORT: ' 9090 ' }).system.port, 9090);
    assert.throws(
      () => resolveConfig({}, { DYN_SYSTEM_PORT: ' abc ' }),
      /DYN_SYSTEM_PORT="abc" is not valid/,
    );
  });

  it('empty or blank variables count as unset (defaults, or the option)', () => {
    for (const blank of ['', '   ']) {
      const env = Object.fromEntries(Object.values(ENV).map((name) => [name, blank]));
      assert.deepEqual(resolveConfig({}, env).system, {
        enabled: false,
        port: undefined,
        host: '0.0.0.0',
        startingHealthStatus: 'notready',
        useEndpointHealthStatus: [],
        metricsPath: '/metrics',
        statusPage: false,
        ...SERVER_DEFAULTS,
      });
      assert.equal(resolveConfig({}, env).prefix, 'dynamo');
      const options: DynamoMetricsModuleOptions = {
        prefix: 'opt',
        system: { enabled: true, port: 0, host: '127.0.0.1', startingHealthStatus: 'ready' },
      };
      const config = resolveConfig(options, env);
      assert.equal(config.prefix, 'opt');
      assert.equal(config.system.enabled, true);
      assert.equal(config.system.port, 0);
      assert.equal(config.system.host, '127.0.0.1');
      assert.equal(config.system.startingHealthStatus, 'ready');
    }
  });

  it('valid values are accepted: bounds, case of booleans, JSON lists, empty prefix', () => {
    assert.equal(resolveConfig({}, { DYN_SYSTEM_PORT: '0' }).system.port, 0);
    assert.equal(resolveConfig({}, { DYN_SYSTEM_PORT: '65535' }).system.port, 65535);
    assert.equal(resolveConfig({}, { DYN_SYSTEM_ENABLED: 'TRUE' }).system.enabled, true);
    assert.equal(resolveConfig({}, { DYN_SYSTEM_ENABLED: 'False' }).system.enabled, false);
    assert.deepEqual(
      resolveConfig({}, { DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '["generate", "embed"]' }).system
        .useEndpointHealthStatus,
      ['generate', 'embed'],
    );
    assert.deepEqual(
      resolveConfig({}, { DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '[]' }).system
        .useEndpointHealthStatus,
      [],
    );
    // DYN_METRICS_PREFIX names the frontend family, as in Dynamo; the hierarchy prefix is an option.
    assert.equal(resolveConfig({}, { DYN_METRICS_PREFIX: 'my_app:x' }).frontendPrefix, 'my_app:x');
    assert.equal(resolveConfig({}, { DYN_METRICS_PREFIX: 'my_app:x' }).prefix, 'dynamo');
    assert.equal(resolveConfig({}, { DYN_SYSTEM_HOST: '::1' }).system.host, '::1');
  });

  it('the environment wins over each option', () => {
    const options: DynamoMetricsModuleOptions = {
      prefix: 'opt',
      frontend: { prefix: 'opt_frontend' },
      system: {
        enabled: false,
        port: 1234,
        host: '0.0.0.0',
        startingHealthStatus: 'notready',
        useEndpointHealthStatus: ['a'],
      },
    };
    const config = resolveConfig(options, {
      DYN_METRICS_PREFIX: 'env',
      DYN_SYSTEM_ENABLED: 'true',
      DYN_SYSTEM_PORT: '0',
      DYN_SYSTEM_HOST: '127.0.0.1',
      DYN_SYSTEM_STARTING_HEALTH_STATUS: 'ready',
      DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS: '["b"]',
    });
    assert.equal(config.frontendPrefix, 'env');
    assert.equal(config.prefix, 'opt', 'no variable sets the hierarchy prefix');
    assert.deepEqual(config.system, {
      enabled: true,
      port: 0,
      host: '127.0.0.1',
      startingHealthStatus: 'ready',
      useEndpointHealthStatus: ['b'],
      metricsPath: '/metrics',
      statusPage: false,
      ...SERVER_DEFAULTS,
    });
  });

  it('bad module options are named as options', () => {
    const cases: Array<[DynamoMetricsModuleOptions, RegExp]> = [
      [{ system: { port: 70000 } }, /^option system\.port=70000 is not valid; accepted values/],
      [{ system: { port: -1 } }, /^option system\.port=-1 is not valid/],
      [{ system: { enabled: 'yes' as never } }, /^option system\.enabled="yes" is not valid/],
      [
        { system: { startingHealthStatus: 'maybe' as never } },
        /^option system\.startingHealthStatus="maybe" is not valid/,
      ],
      [
        { system: { useEndpointHealthStatus: [1] as never } },
        /^option system\.useEndpointHealthStatus=\[1\] is not valid/,
      ],
      [{ prefix: 'bad-prefix' }, /^option prefix="bad-prefix" is not valid/],
      [
        { system: { metricsPath: 'metrics' } },
        /^option system\.metricsPath="metrics" is not valid/,
      ],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => resolveConfig(options, {}),
        (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError);
          assert.match(err.message, message);
          return true;
        },
      );
    }
  });
});

describe('in-process: a bad value stops the module', () => {
  // Defining the module never throws (a throw there is a bare stack at import); creating the
  // app does, as Nest reports start-up errors. Express and Fastify alternate over the values.
  BAD.forEach((b, i) => {
    const platform = PLATFORMS[i % PLATFORMS.length]!;
    it(`${platform}: forRoot() is defined, NestFactory.create fails with the message: ${b.name}=${JSON.stringify(b.value)}`, async () => {
      await withEnv({ DYN_SYSTEM_ENABLED: 'true', [b.name]: b.value }, async () => {
        const dynamo = DynamoMetricsModule.forRoot();
        @Module({ imports: [dynamo] })
        class AppModule {}
        await assert.rejects(createApp(platform, AppModule), (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError, String(err));
          assertNamesIt(err.message, b);
          return true;
        });
      });
    });
  });

  for (const platform of PLATFORMS) {
    it(`${platform}: forRootAsync() fails NestFactory.create with the message`, async () => {
      const b = BAD[0]!;
      await withEnv({ DYN_SYSTEM_ENABLED: 'true', [b.name]: b.value }, async () => {
        @Module({ imports: [DynamoMetricsModule.forRootAsync({ useFactory: () => ({}) })] })
        class AppModule {}
        await assert.rejects(createApp(platform, AppModule), (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError, String(err));
          assertNamesIt(err.message, b);
          return true;
        });
      });
    });
  }
});

/** Runs the compiled fixture app with `vars`; at most `limit` children at once. */
async function runFixtures(
  jobs: Array<{ call: string; vars: EnvVars }>,
  limit = 2,
): Promise<ChildResult[]> {
  const results: ChildResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runNode(fixtureScript(jobs[i]!.call), jobs[i]!.vars, 60000);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

function assertFailedStartup(r: ChildResult, what: string, ...mustSay: string[]): void {
  const log = `${what}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.equal(r.timedOut, false, `still running: ${log}`);
  assert.notEqual(r.code, 0, `exit code: ${log}`);
  assert.notEqual(r.code, null, `killed by ${r.signal}: ${log}`);
  assert.ok(!r.stdout.includes('STARTED'), `must not say it started: ${log}`);
  assert.ok(!r.stdout.includes('successfully started'), `Nest must not say it started: ${log}`);
  for (const text of mustSay) assert.ok(r.stderr.includes(text), `stderr says ${text}: ${log}`);
}

describe('child process: a bad value stops start-up', () => {
  // Each child loads Nest (about 1 s); the values alternate between Express and Fastify so
  // that every value and both platforms are covered without paying for the full product.
  it('forRoot(): every bad value exits 1 naming it, no stack at import (Express and Fastify alternate)', async () => {
    const jobs = BAD.map((b, i) => {
      const platform = PLATFORMS[i % PLATFORMS.length]!;
      return {
        b,
        call: `start(${JSON.stringify(platform)})`,
        vars: { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_HOST: '127.0.0.1', [b.name]: b.value },
      };
    });
    const results = await runFixtures(jobs);
    results.forEach((r, i) => {
      const { b, call } = jobs[i]!;
      assertFailedStartup(
        r,
        `${call} ${b.name}=${b.value}`,
        `${b.name}=${JSON.stringify(b.value)} is not valid`,
        b.accepted,
      );
      // Reported by Nest as a start-up error, not thrown while the module was being defined.
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\[ExceptionHandler\]/, r.stderr);
    });
  });

  it('forRootAsync(): bad values fail NestFactory.create; Nest logs the message, exit 1', async () => {
    const picked = [BAD[4]!, BAD[7]!];
    const jobs = picked.map((b, i) => ({
      b,
      call: `start(${JSON.stringify(PLATFORMS[i % PLATFORMS.length]!)}, 'forRootAsync')`,
      vars: { DYN_SYSTEM_ENABLED: 'true', [b.name]: b.value },
    }));
    const results = await runFixtures(jobs);
    results.forEach((r, i) => {
      const { b, call } = jobs[i]!;
      assertFailedStartup(
        r,
        `${call} ${b.name}=${b.value}`,
        `${b.name}=${JSON.stringify(b.value)}`,
      );
      assert.equal(r.code, 1);
    });
  });
});

describe('system port already in use', () => {
  for (const platform of PLATFORMS) {
    for (const host of ['127.0.0.1', undefined]) {
      it(`${platform}: in-process, DYN_SYSTEM_HOST=${host ?? '(unset: 0.0.0.0)'}: start-up fails naming the port`, async () => {
        const blocker = await occupy(0, '127.0.0.1');
        const port = (blocker.address() as { port: number }).port;
        try {
          await withEnv(
            { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: String(port), DYN_SYSTEM_HOST: host },
            async () => {
              @Module({ imports: [DynamoMetricsModule.forRoot()] })
              class AppModule {}
              const app = await createApp(platform, AppModule);
              try {
                await assert.rejects(app.listen(0, '127.0.0.1'), (err: unknown) => {
                  assert.ok(err instanceof DynamoMetricsError, String(err));
                  assert.ok(err.message.includes(`${host ?? '0.0.0.0'}:${port}`), err.message);
                  assert.match(err.message, /already in use/);
                  assert.match(err.message, /DYN_SYSTEM_PORT/);
                  return true;
                });
                assert.equal(app.get(SystemServer).port, undefined);
                // The application's own server never started listening.
                assert.equal(app.getHttpServer().listening, false);
              } finally {
                await app.close();
              }
            },
          );
        } finally {
          await release(blocker);
        }
      });
    }
  }

  it('child process: exits non-zero naming the port, Express and Fastify', async () => {
    const blocker = await occupy(0, '127.0.0.1');
    const port = (blocker.address() as { port: number }).port;
    try {
      const jobs = PLATFORMS.map((platform) => ({
        call: `start(${JSON.stringify(platform)})`,
        vars: {
          DYN_SYSTEM_ENABLED: 'true',
          DYN_SYSTEM_PORT: String(port),
          DYN_SYSTEM_HOST: '127.0.0.1',
        },
      }));
      const results = await runFixtures(jobs);
      results.forEach((r, i) => {
        assertFailedStartup(r, jobs[i]!.call, `127.0.0.1:${port}`, 'already in use');
      });
    } finally {
      await release(blocker);
    }
  });
});
