import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, DynamicModule, Get, Module } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { DynamoEndpoint, DynamoMetricsError, DynamoMetricsModule, SystemServer } from '../../src';
import { withEnv } from '../support/env';
import { Scrape } from '../support/exposition-parser';
import { get } from '../support/http-client';
import { CapturingLogger } from '../support/logger';
import { closeApp, createApp, PLATFORMS, startApp } from '../support/nest-app';

/**
 * Moving from @willsoto/nestjs-prometheus (README "Moving from ..."): a team keeps
 * `PrometheusModule.register()` while it moves. Both modules would map `GET /metrics`; one route
 * must serve both, never one silently shadowing the other.
 */

const JOBS = 'migration_jobs_total';

@Controller()
class JobsController {
  constructor(@InjectMetric(JOBS) private readonly jobs: Counter<string>) {}

  @Get('job')
  @DynamoEndpoint({ component: 'jobs' })
  job(): string {
    this.jobs.inc();
    return 'done';
  }
}

const appModule = (imports: DynamicModule[]): unknown => {
  @Module({
    imports,
    controllers: [JobsController],
    providers: [makeCounterProvider({ name: JOBS, help: 'Jobs (willsoto)' })],
  })
  class AppModule {}
  return AppModule;
};

const willsoto = (path?: string) =>
  PrometheusModule.register({ defaultMetrics: { enabled: false }, ...(path ? { path } : {}) });
const ours = (options: Parameters<typeof DynamoMetricsModule.forRoot>[0] = {}) =>
  DynamoMetricsModule.forRoot({ system: { enabled: true }, ...options });
const oursAsync = () =>
  DynamoMetricsModule.forRootAsync({ useFactory: () => ({ system: { enabled: true } }) });

/** Requests /job, then reads `path`: both the worker metrics and willsoto's counter. */
async function assertBoth(url: string, metricsUrl = `${url}/metrics`): Promise<Scrape> {
  assert.equal((await get(`${url}/job`)).status, 200);
  const res = await get(metricsUrl);
  assert.equal(res.status, 200, res.text);
  const s = new Scrape(res.text);
  assert.ok(s.get(JOBS) >= 1, `${JOBS} on ${metricsUrl}:\n${res.text.slice(0, 400)}`);
  assert.ok(
    s.get('dynamo_requests_total', { namespace: 'dynamo', component: 'jobs', endpoint: 'job' }) >=
      1,
  );
  return s;
}

for (const platform of PLATFORMS) {
  describe(`${platform}: PrometheusModule beside DynamoMetricsModule`, () => {
    const orders: Array<[string, () => DynamicModule[]]> = [
      ['PrometheusModule first', () => [willsoto(), ours()]],
      ['DynamoMetricsModule first', () => [ours(), willsoto()]],
      ['forRootAsync', () => [willsoto(), oursAsync()]],
    ];
    for (const [title, imports] of orders) {
      it(`${title}: one GET /metrics serves both, and the start-up log says so`, async () => {
        await withEnv({}, async () => {
          const logger = new CapturingLogger();
          const { app, url } = await startApp(platform, appModule(imports()), { logger });
          try {
            await assertBoth(url);
            const warned = logger.lines.filter(
              (l) => l.level === 'warn' && l.message.includes('PrometheusModule.register()'),
            );
            assert.equal(warned.length, 1, JSON.stringify(logger.lines));
            assert.match(warned[0]!.message, /DynamoMetricsModule serves it/);
          } finally {
            await closeApp(app);
          }
        });
      });
    }

    it('includeGlobalRegistry: false: start-up stops, naming PrometheusModule and the fix', async () => {
      await withEnv({}, async () => {
        const module = appModule([willsoto(), ours({ includeGlobalRegistry: false })]);
        await assert.rejects(createApp(platform, module), (err: unknown) => {
          assert.ok(err instanceof DynamoMetricsError, String(err));
          assert.match(
            err.message,
            /^PrometheusModule \(@willsoto\/nestjs-prometheus\) and DynamoMetricsModule both map GET \/metrics/,
          );
          assert.match(err.message, /another path/);
          return true;
        });
      });
    });

    it('PrometheusModule on another path: both routes serve, ours with both', async () => {
      await withEnv({}, async () => {
        const { app, url } = await startApp(platform, appModule([willsoto('/prom'), ours()]));
        try {
          await assertBoth(url);
          const theirs = await get(`${url}/prom`);
          assert.equal(theirs.status, 200);
          assert.ok(new Scrape(theirs.text).get(JOBS) >= 1);
        } finally {
          await closeApp(app);
        }
      });
    });

    it('ours on the system port: PrometheusModule keeps the app port, ours serves both', async () => {
      await withEnv({}, async () => {
        const module = appModule([
          willsoto(),
          ours({ system: { enabled: true, port: 0, host: '127.0.0.1' } }),
        ]);
        const { app, url } = await startApp(platform, module);
        try {
          await assertBoth(url, `${app.get(SystemServer).url!}/metrics`);
          const theirs = await get(`${url}/metrics`);
          assert.equal(theirs.status, 200);
          assert.doesNotMatch(theirs.text, /^dynamo_/m, "the app port is willsoto's route alone");
        } finally {
          await closeApp(app);
        }
      });
    });
  });
}
