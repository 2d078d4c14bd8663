import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplication } from '@nestjs/common';
import { gate } from '../support/gate';
import { http, openStream, pendingRequest } from '../support/http-client';
import { PLATFORMS, scrape, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { sleep } from '../support/net';
import { poll } from '../support/poll';
import { expected, worker } from '../support/worker-metrics';
import { gates, startHttpApp, closeHttpApp } from './fixtures/http-endpoint-app';
import { Labels, L, bytes, ABORTED_STREAMS } from './fixtures/http-endpoint-routes';

/**
 * @DynamoEndpoint on HTTP routes when clients leave (cancelled once, gauge back to 0), and a
 * concurrent mix of successes, throws and aborts.
 */

for (const platform of PLATFORMS) {
  describe(`@DynamoEndpoint on HTTP routes (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    let app: INestApplication;
    let port: number;

    before(async () => {
      ({ app, port } = await startHttpApp(platform));
    });
    after(() => closeHttpApp(app));

    const snapshot = async (labels: Labels) => worker(await scrape(app), labels);

    describe('clients that leave', () => {
      for (const c of ABORTED_STREAMS) {
        it(c.title, async () => {
          const first = await c.leave(port);
          assert.match(first, c.first);
          const w = await poll('the aborted stream to end', async () => {
            const snap = await snapshot(c.labels);
            return snap.durationCount === 1 && snap;
          });
          // At least what the client got before it left was written.
          assert.ok(w.responseBytes >= bytes(first), `${w.responseBytes} bytes`);
          assert.deepEqual(
            w,
            expected({
              requests: 1,
              durationCount: 1,
              responseBytes: w.responseBytes,
              errors: { cancelled: 1 },
            }),
          );
        });
      }

      /** Starts the request, waits until the handler is running, then aborts it. */
      async function abortWhileHandling(path: string, endpoint: string): Promise<void> {
        const labels = L('stream', endpoint);
        const pending = pendingRequest(port, 'GET', path);
        await poll(
          `${path} to be in progress`,
          async () => (await snapshot(labels)).concurrent === 1,
        );
        pending.abort();
        assert.ok((await pending.settled) instanceof Error);
        const w = await poll(`${path} to end`, async () => {
          const snap = await snapshot(labels);
          return snap.durationCount === 1 && snap;
        });
        assert.deepEqual(w, expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }));
      }

      it('a plain-route Observable that has not emitted yet -> "cancelled", gauge 0', async () => {
        await abortWhileHandling('/stream/observable-slow', 'observable_slow');
      });

      it('an async handler still working -> "cancelled" once, even when it finishes later', async () => {
        gates.slow = gate();
        await abortWhileHandling('/stream/promise-slow', 'promise_slow');
        gates.slow.open();
        await sleep(20);
        assert.deepEqual(
          await snapshot(L('stream', 'promise_slow')),
          expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }),
        );
      });
    });

    describe('concurrency', () => {
      it('a concurrent mix of successes, throws and aborts: gauge exact while in flight, 0 after, counts add up', async (t) => {
        gates.work = gate();
        const OK = 6;
        const THROW = 4;
        const ABORT = 5;
        const oks = Array.from({ length: OK }, (_, i) => http(port, 'GET', `/mix/work/ok${i}`));
        const throws = Array.from({ length: THROW }, () => http(port, 'GET', '/mix/work/throw'));
        // Streams stay open until the test aborts them (or it fails).
        const streams = await Promise.all(
          Array.from({ length: ABORT }, () => openStream(port, '/mix/stream')),
        );
        t.after(() => streams.forEach((stream) => stream.abort()));

        // Every work call is held by the gate, and every stream is open: the gauges show each
        // of them in flight, counted at entry.
        await poll('every call in flight', async () => {
          const s = await scrape(app);
          assert.deepEqual(
            worker(s, L('mix', 'work')),
            expected({ requests: OK + THROW, concurrent: OK + THROW }),
          );
          const st = worker(s, L('mix', 'stream'));
          assert.equal(st.concurrent, ABORT);
          assert.equal(st.requests, ABORT);
          return true;
        });
        for (const stream of streams) stream.abort();
        gates.work.open();
        const results = await Promise.all([...oks, ...throws]);
        assert.deepEqual(
          results.map((r) => r.status),
          [...Array(OK).fill(200), ...Array(THROW).fill(500)],
        );

        const [work, stream] = await poll('every call to end', async () => {
          const s = await scrape(app);
          const w = worker(s, L('mix', 'work'));
          const st = worker(s, L('mix', 'stream'));
          return st.durationCount === ABORT && w.durationCount === OK + THROW && [w, st];
        });
        assert.deepEqual(
          stream,
          expected({
            requests: ABORT,
            durationCount: ABORT,
            responseBytes: stream.responseBytes,
            errors: { cancelled: ABORT },
          }),
        );
        assert.deepEqual(
          work,
          expected({
            requests: OK + THROW,
            durationCount: OK + THROW,
            responseBytes: results.reduce((a, r) => a + r.received, 0),
            errors: { handler_error: THROW },
          }),
        );
      });
    });
  });
}
