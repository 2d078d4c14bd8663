import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoMetricsError,
  DynamoMetricsModuleOptions,
  loadOtlpSdk,
  OtlpConfig,
  resolveConfig,
} from '../../src/internal';

/**
 * OTLP push settings (README, "Pushing with OTLP"): off unless asked for, OpenTelemetry's
 * variables and defaults, the signal-specific variable over the generic one over the option,
 * and every value that cannot be honoured refused at start-up, naming the variable.
 */

type Env = Record<string, string>;
const otlpOf = (env: Env, options: DynamoMetricsModuleOptions = {}) =>
  resolveConfig(options, env).otlp;
const on = (env: Env = {}, options?: DynamoMetricsModuleOptions): OtlpConfig => {
  const otlp = otlpOf({ OTEL_METRICS_EXPORTER: 'otlp', ...env }, options);
  assert.ok(otlp, 'OTLP export is on');
  return otlp;
};

describe('OTLP settings', () => {
  it('is off unless OTEL_METRICS_EXPORTER names otlp or the otlp option is given', () => {
    assert.equal(otlpOf({}), undefined);
    // Other libraries' OTLP variables are not read while the export is off.
    assert.equal(otlpOf({ OTEL_EXPORTER_OTLP_TIMEOUT: 'soon', OTEL_SERVICE_NAME: ' ' }), undefined);
    // The variable wins over the option; empty counts as unset.
    for (const value of ['none', 'prometheus', 'none,prometheus']) {
      assert.equal(otlpOf({ OTEL_METRICS_EXPORTER: value }, { otlp: {} }), undefined, value);
    }
    assert.ok(otlpOf({}, { otlp: {} }));
    assert.ok(otlpOf({ OTEL_METRICS_EXPORTER: ' ' }, { otlp: {} }));
    assert.equal(otlpOf({}, { otlp: { enabled: false } }), undefined);
    assert.ok(otlpOf({ OTEL_METRICS_EXPORTER: 'OTLP,prometheus' }, { otlp: { enabled: false } }));
  });

  it("takes OpenTelemetry's defaults", () => {
    assert.deepEqual(on(), {
      protocol: 'http/protobuf',
      endpoint: 'http://localhost:4318/v1/metrics',
      headers: {},
      timeoutMs: 10_000,
      compression: 'none',
      intervalMs: 60_000,
      exportTimeoutMs: 30_000,
      resource: {},
    });
    assert.equal(on({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).endpoint, 'http://localhost:4317');
  });

  it('reads the signal-specific variable, then the generic one, then the option', () => {
    const options = {
      otlp: { protocol: 'grpc' as const, timeoutMs: 7000, compression: 'gzip' as const },
    };
    assert.equal(on({}, options).protocol, 'grpc');
    assert.equal(on({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, options).protocol, 'http/json');
    const both = {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
    };
    assert.equal(on(both).protocol, 'grpc');
    assert.equal(on({}, options).timeoutMs, 7000);
    assert.equal(on({ OTEL_EXPORTER_OTLP_TIMEOUT: '3000' }, options).timeoutMs, 3000);
    assert.equal(
      on({ OTEL_EXPORTER_OTLP_TIMEOUT: '3000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '2000' })
        .timeoutMs,
      2000,
    );
    assert.equal(on({}, options).compression, 'gzip');
    assert.equal(
      on({ OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'none' }, options).compression,
      'none',
    );
    assert.equal(
      on({ OTEL_METRIC_EXPORT_INTERVAL: '1000' }, { otlp: { intervalMs: 5000 } }).intervalMs,
      1000,
    );
  });

  it('takes the metrics endpoint as given, and adds v1/metrics to the generic one over http', () => {
    const url = 'http://collector:4318/custom/path';
    assert.equal(on({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url }).endpoint, url);
    for (const base of ['http://collector:4318', 'http://collector:4318/']) {
      assert.equal(
        on({ OTEL_EXPORTER_OTLP_ENDPOINT: base }).endpoint,
        'http://collector:4318/v1/metrics',
      );
    }
    assert.equal(
      on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp/' }).endpoint,
      'https://gw.example/otlp/v1/metrics',
    );
    const grpc = {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
    };
    assert.equal(on(grpc).endpoint, 'http://collector:4317');
    assert.equal(on({}, { otlp: { endpoint: url } }).endpoint, url);
    assert.equal(
      on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318' }, { otlp: { endpoint: url } }).endpoint,
      'http://env:4318/v1/metrics',
    );
  });

  it('merges headers and resource attributes key by key, the variables winning', () => {
    const otlp = on(
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=generic, api-key=generic',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'api-key=s3cret%2C%3D,x-empty=',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=from-attributes',
      },
      {
        otlp: {
          headers: { 'x-option': 'kept', 'x-tenant': 'option' },
          serviceName: 'from-option',
          resourceAttributes: { 'service.version': '1.2.0', 'deployment.environment': 'dev' },
        },
      },
    );
    assert.deepEqual(otlp.headers, {
      'x-option': 'kept',
      'x-tenant': 'generic',
      'api-key': 's3cret,=',
      'x-empty': '',
    });
    assert.deepEqual(otlp.resource, {
      'service.version': '1.2.0',
      'deployment.environment': 'prod',
      'service.name': 'from-attributes',
    });
    // OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES.
    const named = on({
      OTEL_SERVICE_NAME: 'gateway',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=other',
    });
    assert.equal(named.resource['service.name'], 'gateway');
    assert.equal(
      on({}, { otlp: { serviceName: 'from-option' } }).resource['service.name'],
      'from-option',
    );
  });

  it('keeps an export within the interval, and a request within the export', () => {
    const short = on({ OTEL_METRIC_EXPORT_INTERVAL: '1000' });
    assert.equal(short.exportTimeoutMs, 1000);
    assert.equal(short.timeoutMs, 1000);
    const long = on({ OTEL_METRIC_EXPORT_TIMEOUT: '4000', OTEL_EXPORTER_OTLP_TIMEOUT: '9000' });
    assert.deepEqual([long.intervalMs, long.exportTimeoutMs, long.timeoutMs], [60_000, 4000, 4000]);
  });

  it('refuses what it cannot honour, naming the variable or option and the accepted values', () => {
    const cases: Array<[Env, DynamoMetricsModuleOptions, RegExp]> = [
      [
        { OTEL_METRICS_EXPORTER: 'console' },
        {},
        /^OTEL_METRICS_EXPORTER="console" is not valid here; accepted values: "otlp"/,
      ],
      [
        { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http' },
        {},
        /^OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="http" is not valid; accepted values: "grpc", "http\/protobuf", "http\/json"/,
      ],
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' }, {}, /^OTEL_EXPORTER_OTLP_PROTOCOL="udp"/],
      [{}, { otlp: { protocol: 'udp' as never } }, /^option otlp\.protocol="udp" is not valid/],
      [
        { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector:4318' },
        {},
        /^OTEL_EXPORTER_OTLP_METRICS_ENDPOINT="collector:4318" is not valid; accepted values: an http:\/\/ or https:\/\/ URL/,
      ],
      [
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' },
        {},
        /^OTEL_EXPORTER_OTLP_ENDPOINT="ftp:\/\/collector"/,
      ],
      [{}, { otlp: { endpoint: 'nowhere' } }, /^option otlp\.endpoint="nowhere"/],
      [
        { OTEL_EXPORTER_OTLP_HEADERS: 'api-key' },
        {},
        /^OTEL_EXPORTER_OTLP_HEADERS="api-key" is not valid \(header values are not shown\); accepted values: comma-separated name=value pairs/,
      ],
      [
        { OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'bad name=1' },
        {},
        /^OTEL_EXPORTER_OTLP_METRICS_HEADERS=/,
      ],
      [
        { OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'k=%E0%A4%A' },
        {},
        /^OTEL_EXPORTER_OTLP_METRICS_HEADERS=/,
      ],
      [{}, { otlp: { headers: { k: 1 as never } } }, /^option otlp\.headers=/],
      [
        { OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '0' },
        {},
        /^OTEL_EXPORTER_OTLP_METRICS_TIMEOUT="0" is not valid; accepted values: a whole number >= 1/,
      ],
      [{ OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }, {}, /^OTEL_EXPORTER_OTLP_TIMEOUT="10s"/],
      [{ OTEL_METRIC_EXPORT_INTERVAL: '-5' }, {}, /^OTEL_METRIC_EXPORT_INTERVAL="-5"/],
      [{ OTEL_METRIC_EXPORT_TIMEOUT: 'abc' }, {}, /^OTEL_METRIC_EXPORT_TIMEOUT="abc"/],
      [
        { OTEL_EXPORTER_OTLP_COMPRESSION: 'br' },
        {},
        /^OTEL_EXPORTER_OTLP_COMPRESSION="br" is not valid; accepted values: "gzip", "none"/,
      ],
      [
        { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' },
        {},
        /^OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="delta" is not valid; accepted values: "cumulative"/,
      ],
      [
        { OTEL_RESOURCE_ATTRIBUTES: 'team' },
        {},
        /^OTEL_RESOURCE_ATTRIBUTES="team" is not valid; accepted values: comma-separated key=value pairs/,
      ],
      [
        {},
        { otlp: { serviceName: '' } },
        /^option otlp\.serviceName="" is not valid; accepted values: a non-empty name/,
      ],
      [{}, { otlp: 'yes' as never }, /^option otlp="yes" is not valid/],
      [
        { OTEL_METRICS_EXPORTER: '' },
        { otlp: { enabled: 'yes' as never } },
        /^option otlp\.enabled="yes" is not valid; accepted values: "true" or "false"/,
      ],
    ];
    // Header values are credentials: never in a message.
    cases.push([
      { OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'api-key=s3cret,broken' },
      {},
      /^OTEL_EXPORTER_OTLP_METRICS_HEADERS="api-key=\*\*\*,broken" is not valid \(header values are not shown\)/,
    ]);
    cases.push([
      {},
      { otlp: { headers: { 'api-key': 's3cret', bad: 2 as never } } },
      /^option otlp\.headers=\{"api-key":"\*\*\*","bad":"\*\*\*"\} is not valid/,
    ]);
    for (const [env, options, message] of cases) {
      assert.throws(
        () => otlpOf({ OTEL_METRICS_EXPORTER: 'otlp', ...env }, { otlp: {}, ...options }),
        (err: unknown) => err instanceof DynamoMetricsError && message.test(err.message),
        `${JSON.stringify(env)} ${JSON.stringify(options)}`,
      );
    }
  });

  it('a missing package stops start-up, naming every missing one and the install command', () => {
    const missing = new Set([
      '@opentelemetry/resources',
      '@opentelemetry/exporter-metrics-otlp-grpc',
    ]);
    const resolve = (name: string) => {
      if (missing.has(name)) throw new Error(`Cannot find module '${name}'`);
      return require.resolve(name);
    };
    assert.throws(
      () => loadOtlpSdk('grpc', resolve),
      new DynamoMetricsError(
        'OTLP export (OTEL_METRICS_EXPORTER=otlp, protocol grpc) needs "@opentelemetry/resources", "@opentelemetry/exporter-metrics-otlp-grpc", optional peer dependencies of nestjs-dynamo-metrics: npm install @opentelemetry/resources @opentelemetry/exporter-metrics-otlp-grpc',
      ),
    );
    // Installed, each protocol loads its official exporter.
    for (const protocol of ['grpc', 'http/protobuf', 'http/json'] as const) {
      assert.equal(typeof loadOtlpSdk(protocol).OTLPMetricExporter, 'function', protocol);
    }
  });
});
