import 'reflect-metadata';
import { describe, it, after } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { lastValueFrom, map, toArray } from 'rxjs';
import { scrape } from '../support/nest-app';
import { sleep } from '../support/net';
import { poll } from '../support/poll';
import { worker } from '../support/worker-metrics';
import { releaseHeld, holdCalls, audited, payloadArgs, ENDPOINTS } from './fixtures/wire-app';
import { NatsServer, startNats } from './fixtures/wire-observers';
import {
  Fixture,
  tcpFixture,
  natsFixture,
  L,
  snapshots,
  Expect,
  assertWire,
  body,
} from './fixtures/wire-fixtures';

/**
 * RPC payload bytes on TCP and on NATS, for each kind of call: the worker metrics move by exactly
 * what an independent observer saw on the wire (fixtures/wire-observers.ts).
 */

const transports: Array<{ name: string; setup(t: TestContext): Promise<Fixture | undefined> }> = [
  { name: 'TCP', setup: () => tcpFixture() },
];
let nats: NatsServer | undefined;
transports.push({
  name: 'NATS',
  setup: async (t) => {
    nats ??= await startNats(t);
    return nats ? natsFixture(nats) : undefined;
  },
});
after(async () => {
  await nats?.stop();
});

for (const transport of transports) {
  describe(`RPC payload bytes on the wire (${transport.name})`, () => {
    let fixture: Fixture | undefined;
    /** Starts the app once; undefined when the transport's server is missing (skipped). */
    const fx = async (t: TestContext): Promise<Fixture | undefined> => {
      fixture ??= await transport.setup(t);
      if (!fixture) t.skip('no server for this transport');
      fixture?.truth.reset();
      return fixture;
    };

    after(async () => {
      await fixture?.close();
    });

    it('unary calls, one at a time: each call records exactly its request and reply payload', async (t) => {
      const f = await fx(t);
      if (!f) return;
      payloadArgs.length = 0;
      const calls: Array<[string, unknown, unknown]> = [
        ['echo', { tag: 'a', body: 'plain ascii' }, { echo: 'plain ascii', tag: 'a' }],
        ['echo', { tag: 'b', body: 'ü€😀 multibyte' }, { echo: 'ü€😀 multibyte', tag: 'b' }],
        ['echo', { tag: 'c', body: '' }, { echo: '', tag: 'c' }],
        [
          'echo.ctx',
          { tag: 'd', body: 'ctx' },
          { echo: 'ctx', context: transport.name === 'TCP' ? 'TcpContext' : 'NatsContext' },
        ],
        ['echo.payload', { tag: 'e', body: 'grüße' }, 'GRÜSSE'],
        ['double', 21, 42],
        ['double', -0.5, -1],
        ['sized', { tag: 'f', body: 'wire, not 1e6' }, 'wire, not 1e6'],
      ];
      for (const [pattern, data, expected] of calls) {
        f.truth.reset();
        const before = await snapshots(f.app);
        assert.deepEqual(await lastValueFrom(f.client.send(pattern, data)), expected);
        await assertWire(f.app, before, f.truth, { [pattern]: { calls: 1 } });
      }
      // The hidden context argument never reached the method.
      assert.deepEqual(payloadArgs, [{ count: 1, extra: undefined }]);
    });

    it('Observable replies: every packet counted, the call ends with the last one', async (t) => {
      const f = await fx(t);
      if (!f) return;
      const before = await snapshots(f.app);
      for (const n of [1, 4, 9]) {
        const values: unknown[] = await lastValueFrom(
          f.client.send<unknown>('stream', n).pipe(toArray()),
        );
        assert.equal(values.length, n);
      }
      await assertWire(f.app, before, f.truth, { stream: { calls: 3 } });
    });

    it('error replies: RpcException -> client_error, Observable error -> stream_error, bytes of the error packets', async (t) => {
      const f = await fx(t);
      if (!f) return;
      const before = await snapshots(f.app);
      await assert.rejects(
        lastValueFrom(f.client.send('refuse', { tag: 'r1', body: 'x' })),
        (err: { code?: string }) => {
          assert.equal(err.code, 'E_REFUSED');
          return true;
        },
      );
      await assert.rejects(lastValueFrom(f.client.send('refuse', { tag: 'r2', body: 'ü' })));
      const streamed: string[] = [];
      await assert.rejects(
        lastValueFrom(
          f.client.send<string>('stream.fail', {}).pipe(map((v) => (streamed.push(v), v))),
        ),
      );
      assert.deepEqual(streamed, ['first ✓']);
      await assertWire(f.app, before, f.truth, {
        refuse: { calls: 2, errors: { client_error: 2 } },
        'stream.fail': { calls: 1, errors: { stream_error: 1 } },
      });
    });

    it('events: request bytes as sent, no response bytes', async (t) => {
      const f = await fx(t);
      if (!f) return;
      audited.length = 0;
      const before = await snapshots(f.app);
      for (let i = 0; i < 5; i++) {
        await lastValueFrom(f.client.emit('audit', { i, note: body(i) }), {
          defaultValue: undefined,
        });
      }
      await poll('5 audited events', () => audited.length === 5);
      await assertWire(f.app, before, f.truth, { audit: { calls: 5 } });
    });

    it('many concurrent calls of every kind: per-endpoint totals equal the wire, and the connection totals', async (t) => {
      const f = await fx(t);
      if (!f) return;
      audited.length = 0;
      const before = await snapshots(f.app);
      const totalsBefore = await f.payloadTotals();
      const N = 60;
      const jobs: Array<Promise<unknown>> = [];
      const expect: Expect = {
        echo: { calls: 0 },
        'echo.payload': { calls: 0 },
        stream: { calls: 0 },
        refuse: { calls: 0, errors: { client_error: 0 } },
        audit: { calls: 0 },
      };
      for (let i = 0; i < N; i++) {
        jobs.push(lastValueFrom(f.client.send('echo', { tag: `c${i}`, body: body(i) })));
        expect.echo!.calls++;
        if (i % 4 === 0) {
          jobs.push(lastValueFrom(f.client.send('echo.payload', { tag: `p${i}`, body: body(i) })));
          expect['echo.payload']!.calls++;
        }
        if (i % 5 === 0) {
          jobs.push(lastValueFrom(f.client.send('stream', 1 + (i % 4)).pipe(toArray())));
          expect.stream!.calls++;
        }
        if (i % 7 === 0) {
          jobs.push(
            lastValueFrom(f.client.send('refuse', { tag: `r${i}`, body: '' })).catch(
              () => 'refused',
            ),
          );
          expect.refuse!.calls++;
          expect.refuse!.errors!.client_error!++;
        }
        if (i % 6 === 0) {
          jobs.push(
            lastValueFrom(f.client.emit('audit', { i, note: body(i) }), {
              defaultValue: undefined,
            }),
          );
          expect.audit!.calls++;
        }
      }
      await Promise.all(jobs);
      await poll('every audited event', () => audited.length === expect.audit!.calls);
      await assertWire(f.app, before, f.truth, expect);

      // The same totals from the connection itself (framing removed).
      const totalsAfter = await f.payloadTotals();
      const s = await snapshots(f.app);
      let req = 0;
      let res = 0;
      for (const pattern of Object.keys(ENDPOINTS)) {
        req += s.get(pattern)!.requestBytes - before.get(pattern)!.requestBytes;
        res += s.get(pattern)!.responseBytes - before.get(pattern)!.responseBytes;
      }
      assert.deepEqual(
        { in: totalsAfter.in - totalsBefore.in, out: totalsAfter.out - totalsBefore.out },
        { in: req, out: res },
      );
    });

    it('a client that disconnects before the reply: the call ends once, the gauge returns to 0', async (t) => {
      const f = await fx(t);
      if (!f) return;
      const before = await snapshots(f.app);
      holdCalls();
      const leaving = await f.newClient();
      leaving.send('held', { tag: 'gone', body: 'bye' }).subscribe({ error: () => undefined });
      await poll(
        'the held call in flight',
        async () => worker(await scrape(f.app), L('held')).concurrent === 1,
      );
      const streamed: string[] = [];
      if (transport.name === 'TCP') {
        leaving
          .send<string>('held.stream', {})
          .subscribe({ next: (v) => streamed.push(v), error: () => undefined });
        await poll('two streamed values', () => {
          assert.deepEqual(streamed, ['one', 'twö']);
          return true;
        });
      }
      await leaving.close();
      if (transport.name === 'TCP') {
        // TCP sees the client go: both calls end now, cancelled, with what was sent until then.
        await assertWire(f.app, before, f.truth, {
          held: { calls: 1, errors: { cancelled: 1 } },
          'held.stream': { calls: 1, errors: { cancelled: 1 } },
        });
        releaseHeld();
        await sleep(50);
        // Replies produced after the close are dropped by Nest and change nothing.
        await assertWire(f.app, before, f.truth, {
          held: { calls: 1, errors: { cancelled: 1 } },
          'held.stream': { calls: 1, errors: { cancelled: 1 } },
        });
      } else {
        // NATS does not tell the server: the reply is published (to an inbox nobody reads), and
        // the call ends then, with the bytes that went out.
        await sleep(50);
        assert.equal(worker(await scrape(f.app), L('held')).concurrent, 1);
        releaseHeld();
        await assertWire(f.app, before, f.truth, { held: { calls: 1 } });
      }
    });
  });
}
