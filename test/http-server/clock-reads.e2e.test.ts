import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Controller, Get, Module } from '@nestjs/common';
import { DynamoEndpoint, DynamoMetricsModule, DynamoMetricsModuleOptions } from '../../src';
import { http } from '../support/http-client';
import { closeApp, Platform, scrape, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';

/**
 * Where Fastify has read the clock already (it times each reply: `reply.elapsedTime`), the
 * HTTP server metrics read it no more, and a @DynamoEndpoint() call once (its start); Express
 * times nothing, so each reads it twice. Counted by wrapping `performance.now`, which Fastify
 * calls too: the figures are the reads over those of an undecorated, unmeasured request.
 */
@Controller()
class ClockController {
  @Get('plain')
  plain() {
    return { ok: true };
  }

  @Get('decorated')
  @DynamoEndpoint({ component: 'clock', endpoint: 'decorated' })
  decorated() {
    return { ok: true };
  }
}

/** `performance.now()` calls while `path` is requested 20 times, per request. */
async function readsPerRequest(port: number, path: string): Promise<number> {
  const original = performance.now;
  let reads = 0;
  performance.now = function (this: typeof performance) {
    reads++;
    return original.call(this);
  };
  try {
    for (let i = 0; i < 20; i++) assert.equal((await http(port, 'GET', path)).status, 200);
  } finally {
    performance.now = original;
  }
  return reads / 20;
}

async function extraReads(platform: Platform, options: DynamoMetricsModuleOptions) {
  @Module({ imports: [DynamoMetricsModule.forRoot(options)], controllers: [ClockController] })
  class ClockModule {}
  const started = await startApp(platform, ClockModule);
  try {
    const base = await readsPerRequest(started.port, '/plain');
    const decorated = await readsPerRequest(started.port, '/decorated');
    const s = await scrape(started.app);
    const worker = { namespace: 'dynamo', component: 'clock', endpoint: 'decorated' };
    // The durations are sane: in seconds, from one clock (a mix would be off by far more).
    const sum = s.get('dynamo_request_duration_seconds_sum', worker);
    assert.ok(sum > 0 && sum < 20 * 0.5, `decorated duration sum ${sum}`);
    return { decorated: decorated - base, base };
  } finally {
    await closeApp(started.app);
  }
}

describe('clock reads per request', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('Fastify: @DynamoEndpoint() reads it once; the HTTP server metrics never', async () => {
    const off = await extraReads('fastify', {});
    assert.equal(off.decorated, 1);
    const on = await extraReads('fastify', { httpServer: true });
    assert.equal(on.base, off.base);
    assert.equal(on.decorated, 1);
  });

  it('Express: each reads it twice', async () => {
    const off = await extraReads('express', {});
    assert.equal(off.decorated, 2);
    const on = await extraReads('express', { httpServer: true });
    assert.equal(on.base, off.base + 2);
    assert.equal(on.decorated, 2);
  });
});
