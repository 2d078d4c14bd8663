import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, Transport } from '@nestjs/microservices';
import { lastValueFrom, map, toArray } from 'rxjs';
import { closeApp, scrape, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { freePort } from '../support/net';
import { poll } from '../support/poll';
import { expected, worker, WorkerSnapshot } from '../support/worker-metrics';
import {
  releaseHeld,
  holdCalls,
  audited,
  MicroserviceModule,
  L,
  withoutBytes,
  tcpClient,
  assertNothingInFlight,
} from './fixtures/math-microservice-app';

/**
 * @DynamoEndpoint on TCP microservice handlers: @MessagePattern and @EventPattern counts,
 * durations, error types and calls in flight (payload bytes: microservice-bytes-*.e2e).
 */

describe('@DynamoEndpoint on a TCP microservice', { timeout: SUITE_TIMEOUT_MS }, () => {
  let app: INestMicroservice;
  let client: ClientProxy;

  before(async () => {
    const port = await freePort();
    app = await NestFactory.createMicroservice(MicroserviceModule, {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger: false,
    });
    await app.listen();
    client = tcpClient(port);
    await client.connect();
  });

  after(async () => {
    releaseHeld();
    await client?.close();
    await closeApp(app);
  });

  it('@MessagePattern: exact request and duration counts, labels from class and method', async () => {
    const N = 7;
    const sums = await Promise.all(
      Array.from({ length: N }, (_, i) => lastValueFrom(client.send<number>('sum', [i, i, 1]))),
    );
    assert.deepEqual(
      sums,
      Array.from({ length: N }, (_, i) => 2 * i + 1),
    );
    const s = await scrape(app);
    assert.deepEqual(
      withoutBytes(worker(s, L('math', 'sum'))),
      expected({ requests: N, durationCount: N }),
    );
    assert.equal(
      s.get('dynamo_request_duration_seconds_bucket', { ...L('math', 'sum'), le: '+Inf' }),
      N,
    );
    assert.equal(s.find('dynamo_requests_total', L('math_controller', 'sum')), undefined);
  });

  it('decorator below @MessagePattern with an object pattern, Promise result', async () => {
    for (const n of [1, 2, 3])
      assert.equal(await lastValueFrom(client.send<number>({ cmd: 'double' }, n)), n * 2);
    assert.deepEqual(
      withoutBytes(worker(await scrape(app), L('math', 'double_it'))),
      expected({ requests: 3, durationCount: 3 }),
    );
  });

  it('decorator options override component and endpoint', async () => {
    assert.equal(await lastValueFrom(client.send<number>('renamed', 5)), -5);
    const s = await scrape(app);
    assert.deepEqual(
      withoutBytes(worker(s, L('calc', 'renamed_op'))),
      expected({ requests: 1, durationCount: 1 }),
    );
    assert.equal(s.find('dynamo_requests_total', L('math', 'renamed')), undefined);
  });

  it('Observable-returning handler: every value reaches the client, one call until it completes', async () => {
    const values = await lastValueFrom(client.send<number>('count', 4).pipe(toArray()));
    assert.deepEqual(values, [0, 1, 2, 3]);
    const s = await scrape(app);
    assert.deepEqual(
      withoutBytes(worker(s, L('math', 'count_up'))),
      expected({ requests: 1, durationCount: 1 }),
    );
    // Four values 5 ms apart: the call lasted until the last one.
    assert.ok(s.get('dynamo_request_duration_seconds_sum', L('math', 'count_up')) >= 0.015);
  });

  it('calls in flight are on the gauge exactly, and leave it at 0', async () => {
    holdCalls();
    const pending = [10, 20, 30].map((n) => lastValueFrom(client.send<number>('held', n)));
    await poll('three held calls in flight', async () => {
      const w = worker(await scrape(app), L('math', 'held'));
      assert.deepEqual(withoutBytes(w), expected({ requests: 3, concurrent: 3 }));
      return true;
    });
    releaseHeld();
    assert.deepEqual(await Promise.all(pending), [10, 20, 30]);
    assert.deepEqual(
      withoutBytes(worker(await scrape(app), L('math', 'held'))),
      expected({ requests: 3, durationCount: 3 }),
    );
  });

  it('RpcException -> client_error (sync and async), Error -> handler_error, Observable error -> stream_error', async () => {
    await assert.rejects(lastValueFrom(client.send('refuse', {})), (err: { message?: string }) => {
      assert.equal(err.message, 'refused on purpose');
      return true;
    });
    await assert.rejects(
      lastValueFrom(client.send('refuse-async', {})),
      (err: { code?: string }) => {
        assert.equal(err.code, 'E_REFUSED');
        return true;
      },
    );
    await assert.rejects(lastValueFrom(client.send('refuse-async', {})));
    await assert.rejects(lastValueFrom(client.send('crash', {})));
    const streamed: string[] = [];
    await assert.rejects(
      lastValueFrom(client.send<string>('stream-fail', {}).pipe(map((v) => (streamed.push(v), v)))),
    );
    assert.deepEqual(streamed, ['first']);

    const s = await scrape(app);
    assert.deepEqual(
      withoutBytes(worker(s, L('math', 'refuse'))),
      expected({ requests: 1, durationCount: 1, errors: { client_error: 1 } }),
    );
    assert.deepEqual(
      withoutBytes(worker(s, L('math', 'refuse_async'))),
      expected({ requests: 2, durationCount: 2, errors: { client_error: 2 } }),
    );
    assert.deepEqual(
      withoutBytes(worker(s, L('math', 'crash'))),
      expected({ requests: 1, durationCount: 1, errors: { handler_error: 1 } }),
    );
    assert.deepEqual(
      withoutBytes(worker(s, L('math', 'stream_fail'))),
      expected({ requests: 1, durationCount: 1, errors: { stream_error: 1 } }),
    );
  });

  it('@EventPattern: every event counted once, sync, async and failing handlers', async () => {
    audited.length = 0;
    const N = 6;
    for (let i = 0; i < N; i++)
      await lastValueFrom(client.emit('audit', { i }), { defaultValue: undefined });
    for (let i = 0; i < 3; i++)
      await lastValueFrom(client.emit('audit-slow', { slow: i }), { defaultValue: undefined });
    for (let i = 0; i < 2; i++)
      await lastValueFrom(client.emit('audit-fail', {}), { defaultValue: undefined });

    const s = await poll('every event to be handled', async () => {
      const snap = await scrape(app);
      assert.equal(worker(snap, L('audit', 'audit')).durationCount, N);
      assert.equal(worker(snap, L('audit', 'audit_slow')).durationCount, 3);
      assert.equal(worker(snap, L('audit', 'audit_fail')).durationCount, 2);
      return snap;
    });
    assert.deepEqual(
      withoutBytes(worker(s, L('audit', 'audit'))),
      expected({ requests: N, durationCount: N }),
    );
    assert.deepEqual(
      withoutBytes(worker(s, L('audit', 'audit_slow'))),
      expected({ requests: 3, durationCount: 3 }),
    );
    assert.deepEqual(
      withoutBytes(worker(s, L('audit', 'audit_fail'))),
      expected({ requests: 2, durationCount: 2, errors: { handler_error: 2 } }),
    );
    assert.equal(s.find('dynamo_requests_total', L('audit', 'audit_async')), undefined);
    assert.deepEqual(
      [...audited].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        ...Array.from({ length: N }, (_, i) => ({ i })),
        ...[0, 1, 2].map((slow) => ({ slow })),
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });

  it('a concurrent mix of messages and events: counts add up, nothing left in flight', async () => {
    const s0 = await scrape(app);
    const before = {
      sum: worker(s0, L('math', 'sum')),
      crash: worker(s0, L('math', 'crash')),
      refuse: worker(s0, L('math', 'refuse')),
      audit: worker(s0, L('audit', 'audit')),
    };
    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, () => lastValueFrom(client.send('sum', [1, 1]))),
      ...Array.from({ length: 4 }, () => lastValueFrom(client.send('crash', {}))),
      ...Array.from({ length: 3 }, () => lastValueFrom(client.send('refuse', {}))),
      ...Array.from({ length: 5 }, (_, i) =>
        lastValueFrom(client.emit('audit', { mix: i }), { defaultValue: undefined }),
      ),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 15);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 7);
    const s = await poll('every event to be handled', async () => {
      const snap = await scrape(app);
      assert.equal(worker(snap, L('audit', 'audit')).durationCount, before.audit.durationCount + 5);
      return snap;
    });
    const delta = (now: WorkerSnapshot, then: WorkerSnapshot) => ({
      requests: now.requests - then.requests,
      durations: now.durationCount - then.durationCount,
      handler: now.errors.handler_error - then.errors.handler_error,
      client: now.errors.client_error - then.errors.client_error,
    });
    assert.deepEqual(delta(worker(s, L('math', 'sum')), before.sum), {
      requests: 10,
      durations: 10,
      handler: 0,
      client: 0,
    });
    assert.deepEqual(delta(worker(s, L('math', 'crash')), before.crash), {
      requests: 4,
      durations: 4,
      handler: 4,
      client: 0,
    });
    assert.deepEqual(delta(worker(s, L('math', 'refuse')), before.refuse), {
      requests: 3,
      durations: 3,
      handler: 0,
      client: 3,
    });
    assert.deepEqual(delta(worker(s, L('audit', 'audit')), before.audit), {
      requests: 5,
      durations: 5,
      handler: 0,
      client: 0,
    });
    assertNothingInFlight(s);
  });
});
