import 'reflect-metadata';
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'prom-client';
import { closeApp, PLATFORMS, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { AppModule, CaptureLogger } from './fixtures/provider-app';

/**
 * What the module logs at start-up: each decorated handler and each metric at DYN_LOG=debug, one
 * summary line at log level.
 */

for (const platform of PLATFORMS) {
  describe(
    `@DynamoEndpoint on providers and the module (${platform})`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      after(() => {
        register.removeSingleMetric('legacy_total');
      });

      describe('logging', () => {
        it('with DYN_LOG=debug the explorer logs each decorated handler and each metric registration', async () => {
          const logger = new CaptureLogger(['debug', 'log', 'warn', 'error']);
          const saved = process.env.DYN_LOG;
          process.env.DYN_LOG = 'debug';
          const logged = await startApp(platform, AppModule, { logger }).finally(() => {
            if (saved === undefined) delete process.env.DYN_LOG;
            else process.env.DYN_LOG = saved;
          });
          try {
            const verbose = logger.entries
              .filter((e) => e.level === 'debug' && e.context === 'DynamoMetrics')
              .map((e) => e.message);
            const handlers = verbose.filter((m) => m.startsWith('@DynamoEndpoint '));
            const decorated = [
              'ApiController.hit (http) -> namespace="dynamo" component="api" endpoint="hit"',
              ...[
                'generate',
                'generateAsync',
                'relay',
                'tokens',
                'streamTokens',
                'unsized',
                'throws',
                'rejects',
                'notFound',
                'unavailable',
                'rpcRefusal',
                'failingObservable',
                'failingGenerator',
                'endless',
                'endlessGenerator',
                'bigint',
              ].map((m) => {
                const endpoint = m.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
                return `BackendService.${m} (plain) -> namespace="dynamo" component="backend" endpoint="${endpoint}"`;
              }),
            ].map((m) => `@DynamoEndpoint ${m}`);
            assert.deepEqual([...handlers].sort(), [...decorated].sort());

            // Every worker metric of every decorated endpoint, at its level, with its labels.
            const workerMetrics = [
              ['dynamo_requests_total', 'int counter'],
              ['dynamo_concurrent_requests', 'int gauge'],
              ['dynamo_request_duration_seconds', 'histogram'],
              ['dynamo_request_bytes_total', 'int counter'],
              ['dynamo_response_bytes_total', 'int counter'],
              ['dynamo_errors_total', 'int counter vec'],
            ];
            for (const [name, type] of workerMetrics) {
              for (const level of [
                'dynamo/api/hit',
                'dynamo/backend/generate',
                'dynamo/backend/endless_generator',
              ]) {
                const line = verbose.find((m) =>
                  m.startsWith(`metric ${name} (${type}) at ${level},`),
                );
                assert.ok(line, `no registration logged for ${name} at ${level}`);
                const [, component, endpoint] = level.split('/');
                assert.ok(
                  line.includes(
                    `{"namespace":"dynamo","component":"${component}","endpoint":"${endpoint}"}`,
                  ),
                  line,
                );
              }
            }
            // 17 endpoints, 6 worker metrics each, each registration logged once.
            const workerNames = workerMetrics.map(([name]) => name);
            const endpointRegistrations = verbose.filter((m) =>
              workerNames.some((name) => m.startsWith(`metric ${name} (`)),
            );
            assert.equal(endpointRegistrations.length, 17 * 6);
            // The custom metrics of CustomMetrics, at their levels.
            assert.ok(
              verbose.some((m) =>
                m.startsWith('metric dynamo_custom_runtime_total (counter) at runtime,'),
              ),
            );
            assert.ok(
              verbose.some((m) =>
                m.startsWith('metric dynamo_custom_namespace_value (gauge) at dynamo,'),
              ),
            );
            assert.ok(
              verbose.some((m) =>
                m.startsWith('metric dynamo_custom_component_total (counter) at dynamo/backend,'),
              ),
            );
            assert.ok(
              verbose.some((m) =>
                m.startsWith(
                  'metric dynamo_custom_endpoint_seconds (histogram) at dynamo/backend/generate,',
                ),
              ),
            );
          } finally {
            await closeApp(logged.app);
          }
        });

        it('at log level one line says what was set up, and nothing else', async () => {
          const logger = new CaptureLogger(['log', 'warn', 'error']);
          const logged = await startApp(platform, AppModule, { logger });
          try {
            assert.ok(logger.entries.length > 0, 'the logger captured nothing at all');
            assert.deepEqual(
              logger.entries.filter((e) => e.level === 'debug' || e.context === 'DynamoMetrics'),
              [
                {
                  level: 'log',
                  context: 'DynamoMetrics',
                  message:
                    'Metrics recorded, not served (DYN_SYSTEM_ENABLED is not true); ' +
                    '17 @DynamoEndpoint handlers, 13 metrics',
                },
              ],
            );
          } finally {
            await closeApp(logged.app);
          }
        });
      });
    },
  );
}
