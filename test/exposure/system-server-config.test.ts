import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoMetricsError, DynamoMetricsModuleOptions, resolveConfig } from '../../src/internal';

/**
 * The system server's newer settings resolved from options and environment: today's Dynamo
 * switches (DYN_SYSTEM_PORT alone under `component`, the probe paths), the web config file and
 * the connection limits, each refused with a message naming it when bad.
 */

type Env = Record<string, string>;
const system = (env: Env, options: DynamoMetricsModuleOptions = {}) =>
  resolveConfig(options, env).system;

function refused(env: Env, options: DynamoMetricsModuleOptions, message: string): void {
  assert.throws(
    () => resolveConfig(options, env),
    (err: unknown) => {
      assert.ok(err instanceof DynamoMetricsError, String(err));
      assert.equal(err.message, message);
      return true;
    },
  );
}

describe('DYN_SYSTEM_PORT alone: starts the server under component, not under classic', () => {
  const cases: Array<[title: string, env: Env, options: DynamoMetricsModuleOptions, on: boolean]> =
    [
      [
        'component, port only',
        { DYN_METRICS_NAMING: 'component', DYN_SYSTEM_PORT: '9090' },
        {},
        true,
      ],
      [
        'component by option, port by option',
        {},
        { naming: 'component', system: { port: 0 } },
        true,
      ],
      ['classic, port only', { DYN_SYSTEM_PORT: '9090' }, {}, false],
      [
        'classic, port and enabled',
        { DYN_SYSTEM_PORT: '9090', DYN_SYSTEM_ENABLED: 'true' },
        {},
        true,
      ],
      [
        'component, port, DYN_SYSTEM_ENABLED=false',
        { DYN_METRICS_NAMING: 'component', DYN_SYSTEM_PORT: '9090', DYN_SYSTEM_ENABLED: 'false' },
        {},
        false,
      ],
      ['component, no port', { DYN_METRICS_NAMING: 'component' }, {}, false],
      [
        'component, option enabled: false wins over the port alone',
        { DYN_METRICS_NAMING: 'component', DYN_SYSTEM_PORT: '9090' },
        { system: { enabled: false } },
        false,
      ],
    ];
  for (const [title, env, options, on] of cases) {
    it(`${title}: ${on ? 'on' : 'off'}`, () => {
      assert.equal(system(env, options).enabled, on);
    });
  }
});

describe('probe paths (DYN_SYSTEM_HEALTH_PATH, DYN_SYSTEM_LIVE_PATH)', () => {
  it('default /health and /live; the environment wins over the options', () => {
    assert.deepEqual([system({}).healthPath, system({}).livePath], ['/health', '/live']);
    const options = { system: { healthPath: '/opt-health', livePath: '/opt-live' } };
    assert.deepEqual(
      [system({}, options).healthPath, system({}, options).livePath],
      ['/opt-health', '/opt-live'],
    );
    const env = { DYN_SYSTEM_HEALTH_PATH: '/healthz', DYN_SYSTEM_LIVE_PATH: '/livez' };
    assert.deepEqual(
      [system(env, options).healthPath, system(env, options).livePath],
      ['/healthz', '/livez'],
    );
  });

  it('a path that is not one, or that another route has, stops start-up', () => {
    for (const bad of ['healthz', '/a b', '/x?y', '/x#y']) {
      refused(
        { DYN_SYSTEM_HEALTH_PATH: bad },
        {},
        `DYN_SYSTEM_HEALTH_PATH=${JSON.stringify(bad)} is not valid; accepted values: a path starting with "/", without spaces, "?" or "#", such as "/health".`,
      );
    }
    refused(
      {},
      { system: { livePath: 'live' } },
      'option system.livePath="live" is not valid; accepted values: a path starting with "/", without spaces, "?" or "#", such as "/live".',
    );
    refused(
      { DYN_SYSTEM_HEALTH_PATH: '/metrics' },
      {},
      'DYN_SYSTEM_HEALTH_PATH="/metrics" is already the path of the metrics route; give each route of the system server its own path.',
    );
    refused(
      { DYN_SYSTEM_LIVE_PATH: '/health' },
      {},
      'DYN_SYSTEM_LIVE_PATH="/health" is already the path of the health route; give each route of the system server its own path.',
    );
    refused(
      { DYN_SYSTEM_LIVE_PATH: '/status', DYN_SYSTEM_STATUS_PAGE: 'true' },
      {},
      'DYN_SYSTEM_LIVE_PATH="/status" is already the path of the status page; give each route of the system server its own path.',
    );
    // Without the status page, /status is free.
    assert.equal(system({ DYN_SYSTEM_LIVE_PATH: '/status' }).livePath, '/status');
  });
});

describe('web config file (DYN_SYSTEM_WEB_CONFIG_FILE)', () => {
  it('is kept as given for the system server to read; read by nothing when nothing is served', () => {
    const port = { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_PORT: '0' };
    assert.equal(
      system({ ...port, DYN_SYSTEM_WEB_CONFIG_FILE: 'web.yml' }).webConfigFile,
      'web.yml',
    );
    assert.equal(
      system({}, { system: { webConfigFile: '/etc/w.yml' } }).webConfigFile,
      '/etc/w.yml',
    );
    assert.equal(system(port).webConfigFile, undefined);
  });

  it('with metrics served in-app it would protect nothing: start-up stops', () => {
    refused(
      { DYN_SYSTEM_ENABLED: 'true', DYN_SYSTEM_WEB_CONFIG_FILE: '/etc/web.yml' },
      {},
      "DYN_SYSTEM_WEB_CONFIG_FILE secures the system server only, but metrics are served on the application's port (DYN_SYSTEM_PORT is not set): set DYN_SYSTEM_PORT so that the web config protects them, or leave DYN_SYSTEM_WEB_CONFIG_FILE unset and protect the in-app route with your own guard.",
    );
    refused(
      {},
      { system: { webConfigFile: 42 as never } },
      'option system.webConfigFile=42 is not valid; accepted values: the name of a file, such as "/etc/dynamo/web-config.yml" (empty means unset).',
    );
  });
});

describe('connection limits (option system.connections)', () => {
  it('defaults: 256 sockets, 10 s idle, 10 s for headers, 30 s for a request', () => {
    assert.deepEqual(system({}).connections, {
      max: 256,
      idleTimeoutMs: 10_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    });
    assert.deepEqual(
      system({}, { system: { connections: { max: 64, idleTimeoutMs: 500 } } }).connections,
      {
        max: 64,
        idleTimeoutMs: 500,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
      },
    );
    assert.equal(system({}, { system: { protectProbes: true } }).protectProbes, true);
  });

  it('a limit that is not a whole number >= 1, or headers allowed longer than the request', () => {
    refused(
      {},
      { system: { connections: { max: 0 } } },
      'option system.connections.max=0 is not valid; accepted values: a whole number >= 1 (empty means unset).',
    );
    refused(
      {},
      { system: { connections: { idleTimeoutMs: 1.5 } } },
      'option system.connections.idleTimeoutMs=1.5 is not valid; accepted values: a whole number >= 1 (empty means unset).',
    );
    refused(
      {},
      { system: { connections: { headersTimeoutMs: 40_000 } } },
      'option system.connections.headersTimeoutMs=40000 is longer than requestTimeoutMs=30000; headers are part of the request, so headersTimeoutMs must be at most requestTimeoutMs.',
    );
    refused(
      {},
      { system: { protectProbes: 'yes' as never } },
      'option system.protectProbes="yes" is not valid; accepted values: "true" or "false" (empty means unset).',
    );
  });
});
