import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoMetricsError,
  DynamoMetricsModuleOptions,
  ENV,
  resolveConfig,
} from '../../src/internal';
import { BAD, MORE_BAD, SERVER_DEFAULTS, assertNamesIt } from './fixtures/bad-values';

/** Bad configuration through resolveConfig() directly: the message names the variable and the accepted values. */

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
