import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DistributedRuntime, DynamoEndpoint, DynamoMetricsModule } from '../../src';
import { Scrape } from '../support/exposition-parser';
import { withEnv } from '../support/env';
import { sumOf } from '../support/sample-process';

/**
 * Per-call labels come from clients: a `model` label obeys the model budget shared with the
 * frontend, and each endpoint keeps at most `series.maxCallLabelSets` sets of values
 * (default 100); later sets are recorded with every per-call label `__overflow__`, and counted.
 */

@Injectable()
class Backend {
  @DynamoEndpoint({
    component: 'backend',
    labels: { tenant: ([tenant]) => tenant, model: ([, model]) => model },
  })
  generate(_tenant: string, _model: unknown): string {
    return 'ok';
  }
}

async function withBackend(
  options: Parameters<typeof DynamoMetricsModule.forRoot>[0],
  env: Record<string, string>,
  fn: (backend: Backend, scrape: () => Promise<Scrape>) => void | Promise<void>,
): Promise<void> {
  await withEnv(env, async () => {
    @Module({ imports: [DynamoMetricsModule.forRoot(options)], providers: [Backend] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const runtime = app.get(DistributedRuntime);
      await fn(app.get(Backend), async () => new Scrape(await runtime.prometheusMetricsFmt()));
    } finally {
      await app.close();
    }
  });
}

const REQUESTS = 'dynamo_requests_total';

describe('per-call labels are budgeted', () => {
  it('500 tenants: 100 label sets kept, the rest __overflow__, every call counted', async () => {
    await withBackend({ includeGlobalRegistry: false }, {}, async (backend, scrape) => {
      for (let i = 0; i < 500; i++) backend.generate(`t${i}`, 'llama');
      const s = await scrape();
      const series = s.matching(REQUESTS);
      assert.equal(series.length, 101);
      assert.equal(sumOf(s, REQUESTS), 500);
      assert.equal(sumOf(s, REQUESTS, { tenant: '__overflow__', model: '__overflow__' }), 400);
      assert.equal(s.get('dynamo_series_overflow_total', { metric: REQUESTS }), 400);
    });
  });

  it('DYN_METRICS_MAX_CALL_LABEL_SETS wins over series.maxCallLabelSets', async () => {
    await withBackend(
      { includeGlobalRegistry: false, series: { maxCallLabelSets: 50 } },
      { DYN_METRICS_MAX_CALL_LABEL_SETS: '3' },
      async (backend, scrape) => {
        for (const t of ['a', 'b', 'c', 'd', 'e']) backend.generate(t, 'm');
        const s = await scrape();
        assert.equal(s.matching(REQUESTS).length, 4);
        assert.equal(sumOf(s, REQUESTS, { tenant: '__overflow__' }), 2);
      },
    );
  });

  it('a model label obeys the frontend model budget: lower-cased, odd values __overflow__', async () => {
    await withBackend(
      { includeGlobalRegistry: false, frontend: { maxModels: 2 } },
      {},
      async (backend, scrape) => {
        for (const m of ['A', 'a ', 'b', 'c', '__OVERFLOW__', undefined, 7])
          backend.generate('t', m);
        const s = await scrape();
        const models = s.matching(REQUESTS).map((x) => `${x.labels.model}=${x.value}`);
        assert.deepEqual(models.sort(), ['__overflow__=4', 'a=2', 'b=1']);
        assert.equal(s.get('dynamo_series_overflow_total', { metric: REQUESTS }), 4);
      },
    );
  });
});
