import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Module } from '@nestjs/common';
import { DynamoEndpoint, DynamoMetricsModule, SystemServer } from '../../src';
import {
  HISTORY_MAX_ROWS,
  HISTORY_SPAN_MS,
  HistoryPoint,
  StatusHistory,
} from '../../src/exposure/status-page/status-history.service';
import { withEnv } from '../support/env';
import { Scrape } from '../support/exposition-parser';
import { get } from '../support/http-client';
import { closeApp, startApp } from '../support/nest-app';

/**
 * The status page's memory (issue 24): the system server keeps the last 5 minutes of what the
 * page charts, read with the page's own code, so a page opened after a burst shows it.
 */

@Controller()
class WorkController {
  @Get('work')
  @DynamoEndpoint({ component: 'worker' })
  work(): string {
    return 'ok';
  }
}

async function withStatusPage(
  fn: (ctx: { history: StatusHistory; app: string; system: string }) => Promise<void>,
): Promise<void> {
  await withEnv({}, async () => {
    @Module({
      imports: [
        DynamoMetricsModule.forRoot({
          system: { enabled: true, port: 0, host: '127.0.0.1', statusPage: true },
        }),
      ],
      controllers: [WorkController],
    })
    class AppModule {}
    const { app, url } = await startApp('express', AppModule);
    try {
      const history = app.get(StatusHistory);
      // The test takes the readings itself, at times it chooses: the timer stops, and the
      // reading made at start-up (maybe running now) finishes.
      await history.stop();
      await fn({ history, app: url, system: app.get(SystemServer).url! });
    } finally {
      await closeApp(app);
    }
  });
}

const historyOf = async (system: string) => {
  const res = await get(`${system}/status/history`);
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  return JSON.parse(res.text) as {
    intervalMs: number;
    spanMs: number;
    bytes: number;
    points: HistoryPoint[];
  };
};

describe('status page history', () => {
  it('keeps what the page charts: rates from readings 2 s apart, in /status/history', async () => {
    await withStatusPage(async ({ history, app, system }) => {
      // Readings every 2 s, as the timer takes them; then 10 calls before the next one.
      const t0 = Date.now() + 60_000;
      for (let i = 0; i < 4; i++) await history.read(t0 + i * 2000);
      for (let i = 0; i < 10; i++) assert.equal((await get(`${app}/work`)).status, 200);
      await history.read(t0 + 8000);
      const body = await historyOf(system);
      assert.equal(body.intervalMs, 2000);
      assert.equal(body.spanMs, 5 * 60 * 1000);
      const last = body.points.at(-1)!;
      assert.equal(last.t, t0 + 8000);
      const worker = last.workers.find((w) => w.component === 'worker')!;
      assert.equal(worker.endpoint, 'work');
      // As the page computes it: against the oldest reading within its 5 s window (6 s back).
      assert.ok(Math.abs((worker.rate as number) - 10 / 6) < 1e-9, `rate ${String(worker.rate)}`);
      assert.equal(worker.inflight, 0);
      assert.equal(body.bytes, Buffer.byteLength(JSON.stringify(body.points)));
    });
  });

  it('bounded: 5 minutes of readings, at most 50 rows each; readings are not scrapes', async () => {
    await withStatusPage(async ({ history, system }) => {
      const t0 = Date.now() + 60_000;
      const scrapes = async () =>
        new Scrape((await get(`${system}/metrics`)).text).get('dynamo_system_scrapes_total', {
          namespace: 'dynamo',
        });
      const before = await scrapes();
      const readings = HISTORY_SPAN_MS / 2000 + 20;
      for (let i = 0; i < readings; i++) await history.read(t0 + i * 2000);
      const body = await historyOf(system);
      const newest = t0 + (readings - 1) * 2000;
      assert.ok(body.points.length <= HISTORY_SPAN_MS / 2000, `${body.points.length} points`);
      assert.ok(body.points.every((p) => p.t > newest - HISTORY_SPAN_MS));
      assert.ok(body.points.every((p) => p.workers.length <= HISTORY_MAX_ROWS));
      // The one /metrics request above and this one; none of the readings.
      assert.equal((await scrapes()) - before, 1);
    });
  });
});
