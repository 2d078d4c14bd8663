import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import { register } from 'prom-client';
import { DistributedRuntime } from '../../src';
import { Scrape } from '../support/exposition-parser';
import { http } from '../support/http-client';
import { closeApp, PLATFORMS, scrape, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { expected, worker } from '../support/worker-metrics';
import {
  bytes,
  BackendService,
  CustomMetrics,
  LegacyService,
  AppModule,
  AsyncAppModule,
  AsyncNoExposureModule,
  ScopedModule,
  BACKEND,
  startProviderApp,
  closeProviderApp,
} from './fixtures/provider-app';

/**
 * The module in an application: injected levels and a @willsoto/nestjs-prometheus metric in the
 * runtime's output, two apps in one process, request-scoped controllers, forRootAsync.
 */

for (const platform of PLATFORMS) {
  describe(
    `@DynamoEndpoint on providers and the module (${platform})`,
    { timeout: SUITE_TIMEOUT_MS },
    () => {
      let app: INestApplication;
      let port: number;
      let backend: BackendService;
      const metrics = () => scrape(app);

      before(async () => {
        ({ app, port, backend } = await startProviderApp(platform));
      });
      after(() => closeProviderApp(app));

      describe('injection', () => {
        it('DistributedRuntime, @InjectNamespace, @InjectComponent, @InjectEndpoint carry the right labels', async () => {
          const custom = app.get(CustomMetrics);
          const runtime = app.get(DistributedRuntime);
          assert.equal(custom.runtime, runtime);
          assert.equal(custom.namespace, runtime.namespace('dynamo'));
          assert.equal(custom.component, runtime.namespace('dynamo').component('backend'));
          assert.equal(
            custom.endpoint,
            runtime.namespace('dynamo').component('backend').endpoint('generate'),
          );

          custom.runtimeCounter.inc(2);
          custom.namespaceGauge.set(7.5);
          custom.componentCounter.inc(3);
          custom.endpointHistogram.observe(0.75);
          const s = await metrics();
          assert.equal(s.get('dynamo_custom_runtime_total'), 2);
          assert.equal(s.get('dynamo_custom_namespace_value', { namespace: 'dynamo' }), 7.5);
          assert.equal(
            s.get('dynamo_custom_component_total', {
              namespace: 'dynamo',
              component: 'backend',
              tier: 'gold',
            }),
            3,
          );
          const ep = BACKEND('generate');
          assert.equal(s.get('dynamo_custom_endpoint_seconds_count', ep), 1);
          assert.equal(s.get('dynamo_custom_endpoint_seconds_bucket', { ...ep, le: '0.5' }), 0);
          assert.equal(s.get('dynamo_custom_endpoint_seconds_bucket', { ...ep, le: '1' }), 1);
          // Exactly one series each: no stray hierarchy labels.
          assert.equal(s.matching('dynamo_custom_runtime_total').length, 1);
          assert.equal(s.matching('dynamo_custom_namespace_value').length, 1);
          assert.equal(s.matching('dynamo_custom_component_total').length, 1);
          assert.equal(s.matching('dynamo_custom_endpoint_seconds_count').length, 1);
        });

        it('a @willsoto/nestjs-prometheus metric (global registry) appears in the runtime output', async () => {
          const legacy = app.get(LegacyService);
          const before = (await metrics()).get('legacy_total');
          legacy.counter.inc(3);
          assert.equal((await metrics()).get('legacy_total'), before + 3);
          // ...and the runtime's own metrics do not leak into the global registry.
          assert.equal(register.getSingleMetric('dynamo_requests_total'), undefined);
          assert.doesNotMatch(await register.metrics(), /^dynamo_/m);
        });
      });

      describe('applications', () => {
        it('two apps with the same classes in one process keep separate counts', async () => {
          const second = await startApp(platform, AppModule);
          const secondRuntime = second.app.get(DistributedRuntime);
          try {
            assert.notEqual(secondRuntime, app.get(DistributedRuntime));
            const hits = { namespace: 'dynamo', component: 'api', endpoint: 'hit' };
            const before = worker(await metrics(), hits).requests;
            // Interleaved requests to both apps.
            let secondBytes = 0;
            for (let i = 0; i < 5; i++) {
              const res = await http(second.port, 'GET', '/api/hit');
              assert.equal(res.status, 200);
              secondBytes += res.received;
              if (i < 2) assert.equal((await http(port, 'GET', '/api/hit')).status, 200);
            }
            const secondBackend = second.app.get(BackendService);
            assert.notEqual(secondBackend, backend);
            const beforeGenerate = worker(await metrics(), BACKEND('generate')).requests;
            secondBackend.generate('b1');
            secondBackend.generate('b2');
            backend.generate('a1');

            let a = await metrics();
            let b = await scrape(second.app);
            assert.equal(worker(a, hits).requests, before + 2);
            assert.deepEqual(
              worker(b, hits),
              expected({ requests: 5, durationCount: 5, responseBytes: secondBytes }),
            );
            assert.equal(worker(a, BACKEND('generate')).requests, beforeGenerate + 1);
            assert.deepEqual(
              worker(b, BACKEND('generate')),
              expected({
                requests: 2,
                durationCount: 2,
                requestBytes: 4,
                responseBytes: bytes('echo:b1echo:b2'),
              }),
            );

            // Closing one app leaves the other one recording.
            await second.app.close();
            assert.equal((await http(port, 'GET', '/api/hit')).status, 200);
            a = await metrics();
            b = new Scrape(await secondRuntime.prometheusMetricsFmt());
            assert.equal(worker(a, hits).requests, before + 3);
            assert.equal(worker(b, hits).requests, 5);
          } finally {
            await closeApp(second.app);
          }
        });

        it('request-scoped controllers: each app records its own requests', async (t) => {
          const labels = { namespace: 'dynamo', component: 'scoped', endpoint: 'scoped_hit' };
          const first = await startApp(platform, ScopedModule);
          let second: Awaited<ReturnType<typeof startApp>> | undefined;
          try {
            let firstBytes = 0;
            for (let i = 0; i < 2; i++) {
              const res = await http(first.port, 'GET', '/scoped');
              assert.equal(res.status, 200);
              assert.deepEqual(JSON.parse(res.text), { scoped: true });
              firstBytes += res.received;
            }
            // With one app, a request-scoped controller is recorded like any other.
            assert.deepEqual(
              worker(await scrape(first.app), labels),
              expected({ requests: 2, durationCount: 2, responseBytes: firstBytes }),
            );

            second = await startApp(platform, ScopedModule);
            assert.equal((await http(first.port, 'GET', '/scoped')).status, 200);
            for (let i = 0; i < 3; i++)
              assert.equal((await http(second.port, 'GET', '/scoped')).status, 200);
            const a = worker(await scrape(first.app), labels);
            const b = worker(await scrape(second.app), labels);
            // Every request is recorded exactly once, somewhere...
            assert.equal(a.requests + b.requests, 6);
            assert.equal(a.durationCount + b.durationCount, 6);
            assert.equal(a.concurrent + b.concurrent, 0);
            // ...and in the app that served it.
            await t.test('in the app that served it', () => {
              assert.equal(a.requests, 3);
              assert.equal(b.requests, 3);
            });
          } finally {
            await closeApp(second?.app);
            await closeApp(first.app);
          }
        });

        it('forRootAsync({ useFactory }) applies namespace and prefix (and serves /metrics)', async () => {
          const async = await startApp(platform, AsyncAppModule);
          try {
            for (let i = 0; i < 2; i++)
              assert.equal((await http(async.port, 'GET', '/api/hit')).status, 200);
            async.app.get(BackendService).generate('q');
            const custom = async.app.get(CustomMetrics);
            custom.componentCounter.inc();

            const s = await scrape(async.app);
            const hits = { namespace: 'ns2', component: 'api', endpoint: 'hit' };
            const w = worker(s, hits, 'svc');
            assert.equal(w.requests, 2);
            assert.equal(w.durationCount, 2);
            assert.equal(w.concurrent, 0);
            assert.deepEqual(
              worker(s, { namespace: 'ns2', component: 'backend', endpoint: 'generate' }, 'svc'),
              expected({
                requests: 1,
                durationCount: 1,
                requestBytes: 1,
                responseBytes: bytes('echo:q'),
              }),
            );
            assert.equal(
              s.get('svc_custom_component_total', {
                namespace: 'ns2',
                component: 'backend',
                tier: 'gold',
              }),
              1,
            );
            assert.equal(custom.namespace.name, 'ns2');
            // Nothing under the defaults.
            for (const name of s.names()) assert.doesNotMatch(name, /^dynamo_/);
            assert.equal(s.matching('svc_requests_total', { namespace: 'dynamo' }).length, 0);

            // The in-app /metrics route serves the same runtime.
            const res = await http(async.port, 'GET', '/metrics');
            assert.equal(res.status, 200);
            assert.match(String(res.headers['content-type']), /^text\/plain/);
            const served = new Scrape(res.text);
            assert.equal(served.get('svc_requests_total', hits), 2);
            assert.ok(served.get('svc_system_uptime_seconds', { namespace: 'ns2' }) > 0);
          } finally {
            await closeApp(async.app);
          }
        });

        it('forRootAsync without system.enabled: /metrics answers 404, metrics still recorded', async () => {
          const async = await startApp(platform, AsyncNoExposureModule);
          try {
            assert.equal((await http(async.port, 'GET', '/api/hit')).status, 200);
            assert.equal((await http(async.port, 'GET', '/metrics')).status, 404);
            const s = await scrape(async.app);
            assert.equal(
              s.get('svc_requests_total', { namespace: 'ns2', component: 'api', endpoint: 'hit' }),
              1,
            );
          } finally {
            await closeApp(async.app);
          }
        });

        it('forRoot() without system.enabled has no /metrics route', async () => {
          assert.equal((await http(port, 'GET', '/metrics')).status, 404);
        });
      });
    },
  );
}
