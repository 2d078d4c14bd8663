import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DynamoMetricsError, DynamoMetricsModuleOptions, resolveConfig } from '../../src/internal';

/**
 * `httpServer: true | { exclude, buckets, knownMethods }` and `DYN_METRICS_HTTP_SERVER` /
 * `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`, resolved: the environment wins, bad values stop
 * start-up with a message naming the option or variable and what is accepted.
 */
const OTEL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const RFC_METHODS = [
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
];

const httpServer = (option: unknown, env: Record<string, string> = {}) =>
  resolveConfig({ httpServer: option } as DynamoMetricsModuleOptions, env).httpServer;

describe('httpServer option and DYN_METRICS_HTTP_SERVER', () => {
  it('off by default; defaults are OpenTelemetry’s buckets and RFC 9110 methods', () => {
    assert.deepEqual(resolveConfig({}, {}).httpServer, {
      enabled: false,
      buckets: OTEL_BUCKETS,
      knownMethods: RFC_METHODS,
    });
    assert.deepEqual(httpServer(true), {
      enabled: true,
      buckets: OTEL_BUCKETS,
      knownMethods: RFC_METHODS,
    });
  });

  it('an object turns them on with its settings; the variable wins either way', () => {
    const exclude = ['/internal', /^\/admin\//];
    assert.deepEqual(httpServer({ exclude, buckets: [0.1, 1], knownMethods: ['GET'] }), {
      enabled: true,
      exclude,
      buckets: [0.1, 1],
      knownMethods: ['GET'],
    });
    assert.equal(httpServer({}, { DYN_METRICS_HTTP_SERVER: 'false' }).enabled, false);
    assert.equal(httpServer(false, { DYN_METRICS_HTTP_SERVER: 'TRUE' }).enabled, true);
    assert.equal(httpServer(undefined, { DYN_METRICS_HTTP_SERVER: 'true' }).enabled, true);
    assert.equal(httpServer(true, { DYN_METRICS_HTTP_SERVER: '' }).enabled, true);
    assert.deepEqual(
      httpServer(
        { knownMethods: ['GET'] },
        { OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET, PROPFIND' },
      ).knownMethods,
      ['GET', 'PROPFIND'],
    );
  });

  const bad: Array<[string, unknown, Record<string, string>, RegExp]> = [
    [
      'a string',
      'yes',
      {},
      /^option httpServer="yes" is not valid; accepted values: true, false, or an object/,
    ],
    [
      'an unknown setting',
      { exlude: [] },
      {},
      /^option httpServer.exlude is not a setting; accepted values: exclude, buckets, knownMethods/,
    ],
    [
      'a bad variable',
      undefined,
      { DYN_METRICS_HTTP_SERVER: 'on' },
      /^DYN_METRICS_HTTP_SERVER="on" is not valid; accepted values: "true" or "false"/,
    ],
    [
      'a relative path',
      { exclude: ['health'] },
      {},
      /^option httpServer.exclude=\[health\] is not valid; accepted values: an array of paths starting with "\/"/,
    ],
    [
      'exclude not a list',
      { exclude: '/health' },
      {},
      /^option httpServer.exclude="\/health" is not valid/,
    ],
    [
      'decreasing buckets',
      { buckets: [1, 0.5] },
      {},
      /^option httpServer.buckets=\[1,0.5\] is not valid; accepted values: strictly increasing finite numbers/,
    ],
    ['empty buckets', { buckets: [] }, {}, /^option httpServer.buckets=\[\] is not valid/],
    [
      'a method with a space',
      { knownMethods: ['GET ME'] },
      {},
      /^option httpServer.knownMethods=\["GET ME"\] is not valid; accepted values: HTTP method names/,
    ],
    [
      'an empty method list',
      { knownMethods: [] },
      {},
      /^option httpServer.knownMethods=\[\] is not valid/,
    ],
    [
      'a bad method variable',
      undefined,
      { OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET,,POST' },
      /^OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS="GET,,POST" is not valid/,
    ],
  ];
  for (const [what, option, env, message] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => httpServer(option, env),
        (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
