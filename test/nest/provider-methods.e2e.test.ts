import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HttpException, INestApplication, NotFoundException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { lastValueFrom, map, Subject, take, toArray } from 'rxjs';
import { http } from '../support/http-client';
import { PLATFORMS, scrape, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { expected, worker } from '../support/worker-metrics';
import {
  bytes,
  BackendService,
  BACKEND,
  startProviderApp,
  closeProviderApp,
} from './fixtures/provider-app';

/**
 * @DynamoEndpoint on plain provider methods: each kind of result (value, Promise, Observable,
 * async generator), errors, cancellation and size functions. The app: fixtures/provider-app.ts.
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

      describe('plain provider methods', () => {
        it('sync result: requestSize gets the arguments, responseSize the result', async () => {
          const prompts = ['héllo', 'wörld ✓', '🚀'];
          for (const p of prompts) assert.equal(backend.generate(p), `echo:${p}`);
          assert.deepEqual(
            worker(await metrics(), BACKEND('generate')),
            expected({
              requests: 3,
              durationCount: 3,
              requestBytes: prompts.reduce((a, p) => a + bytes(p), 0),
              responseBytes: prompts.reduce((a, p) => a + bytes(`echo:${p}`), 0),
            }),
          );
        });

        it('Promise result: counted when it resolves', async () => {
          const pending = backend.generateAsync('ünï', 40);
          let s = await metrics();
          assert.equal(worker(s, BACKEND('generate_async')).concurrent, 1);
          assert.equal(worker(s, BACKEND('generate_async')).durationCount, 0);
          assert.deepEqual(await pending, { text: 'async:ünï:40' });
          s = await metrics();
          assert.deepEqual(
            worker(s, BACKEND('generate_async')),
            expected({
              requests: 1,
              durationCount: 1,
              requestBytes: bytes('ünï') + 40,
              responseBytes: bytes('async:ünï:40'),
            }),
          );
        });

        it('Observable result: in flight until it completes, responseSize per item', async () => {
          const source = new Subject<string>();
          const received: string[] = [];
          let done = false;
          backend
            .relay(source)
            .subscribe({ next: (v) => received.push(v), complete: () => (done = true) });
          source.next('ab');
          source.next('çd');
          let w = worker(await metrics(), BACKEND('relay'));
          assert.deepEqual(w, expected({ requests: 1, concurrent: 1 }));
          source.complete();
          assert.equal(done, true);
          assert.deepEqual(received, ['AB', 'ÇD']);
          w = worker(await metrics(), BACKEND('relay'));
          assert.deepEqual(
            w,
            expected({ requests: 1, durationCount: 1, responseBytes: bytes('ABÇD') }),
          );

          // A timed Observable: the duration covers the whole stream.
          const words = ['a', 'bé', 'c✓'];
          assert.deepEqual(await lastValueFrom(backend.tokens(words).pipe(toArray())), words);
          const s = await metrics();
          assert.deepEqual(
            worker(s, BACKEND('tokens')),
            expected({ requests: 1, durationCount: 1, responseBytes: bytes(words.join('')) }),
          );
          assert.ok(s.get('dynamo_request_duration_seconds_sum', BACKEND('tokens')) >= 0.008);
        });

        it('async generator result: in flight while iterated, responseSize per item', async () => {
          const words = ['x', 'yÿ', 'z🚀'];
          const got: string[] = [];
          for await (const w of backend.streamTokens(words)) {
            got.push(w);
            if (got.length === 1) {
              assert.equal(worker(await metrics(), BACKEND('stream_tokens')).concurrent, 1);
            }
          }
          assert.deepEqual(got, words);
          const s = await metrics();
          assert.deepEqual(
            worker(s, BACKEND('stream_tokens')),
            expected({ requests: 1, durationCount: 1, responseBytes: bytes(words.join('')) }),
          );
          assert.ok(
            s.get('dynamo_request_duration_seconds_sum', BACKEND('stream_tokens')) >= 0.008,
          );
        });

        it('without size functions no bytes are counted', async () => {
          assert.equal(backend.unsized('abc'), 'abcabcabc');
          assert.deepEqual(
            worker(await metrics(), BACKEND('unsized')),
            expected({ requests: 1, durationCount: 1 }),
          );
        });

        it('throws / rejects: error types by the documented classification', async () => {
          assert.throws(() => backend.throws(), /sync failure/);
          await assert.rejects(backend.rejects(), /async failure/);
          assert.throws(() => backend.notFound(), NotFoundException);
          assert.throws(() => backend.unavailable(), HttpException);
          await assert.rejects(backend.rpcRefusal(), RpcException);
          const s = await metrics();
          const one = (errors: Record<string, number>) =>
            expected({ requests: 1, durationCount: 1, errors });
          assert.deepEqual(worker(s, BACKEND('throws')), one({ handler_error: 1 }));
          assert.deepEqual(worker(s, BACKEND('rejects')), one({ handler_error: 1 }));
          assert.deepEqual(worker(s, BACKEND('not_found')), one({ client_error: 1 }));
          assert.deepEqual(worker(s, BACKEND('unavailable')), one({ handler_error: 1 }));
          assert.deepEqual(worker(s, BACKEND('rpc_refusal')), one({ client_error: 1 }));
        });

        it('Observable / async generator that fail mid-stream -> stream_error', async () => {
          const seen: string[] = [];
          await assert.rejects(
            lastValueFrom(backend.failingObservable().pipe(map((v) => (seen.push(v), v)))),
            /observable failure/,
          );
          assert.deepEqual(seen, ['one']);
          const items: string[] = [];
          await assert.rejects(async () => {
            for await (const v of backend.failingGenerator()) items.push(v);
          }, /generator failure/);
          assert.deepEqual(items, ['one']);
          const s = await metrics();
          const failed = expected({ requests: 1, durationCount: 1, errors: { stream_error: 1 } });
          assert.deepEqual(worker(s, BACKEND('failing_observable')), failed);
          assert.deepEqual(worker(s, BACKEND('failing_generator')), failed);
        });

        it('Observable unsubscribed early / generator left early -> cancelled, gauge 0', async () => {
          // Explicit unsubscribe after two values.
          const values: number[] = [];
          await new Promise<void>((resolve) => {
            const sub = backend.endless().subscribe((v) => {
              values.push(v);
              if (values.length === 2) {
                queueMicrotask(() => {
                  sub.unsubscribe();
                  resolve();
                });
              }
            });
          });
          assert.deepEqual(values, [0, 1]);
          let w = worker(await metrics(), BACKEND('endless'));
          assert.deepEqual(
            w,
            expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }),
          );

          // take(3) unsubscribes from the source once it has what it wants.
          assert.deepEqual(
            await lastValueFrom(backend.endless().pipe(take(3), toArray())),
            [0, 1, 2],
          );
          w = worker(await metrics(), BACKEND('endless'));
          assert.deepEqual(
            w,
            expected({ requests: 2, durationCount: 2, errors: { cancelled: 2 } }),
          );

          // break out of for-await: the generator's return() runs.
          const got: number[] = [];
          for await (const v of backend.endlessGenerator()) {
            got.push(v);
            if (got.length === 2) break;
          }
          assert.deepEqual(got, [0, 1]);
          w = worker(await metrics(), BACKEND('endless_generator'));
          assert.deepEqual(
            w,
            expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }),
          );
        });

        it('a size function that throws does not break the call', async (t) => {
          let result: unknown;
          let thrown: unknown;
          try {
            result = backend.bigint();
          } catch (err) {
            thrown = err;
          }
          const w = worker(await metrics(), BACKEND('bigint'));
          assert.equal(w.requests, 1);
          await t.test('the method returns its result and the call ends', () => {
            assert.equal(thrown, undefined);
            assert.deepEqual(result, { value: 10n });
            assert.equal(w.concurrent, 0);
            assert.equal(w.durationCount, 1);
          });
        });

        it('a provider method called from an undecorated route is recorded as that provider', async () => {
          const res = await http(port, 'GET', '/api/generate');
          assert.equal(res.status, 200);
          assert.deepEqual(JSON.parse(res.text), { text: 'echo:from-http' });
          const s = await metrics();
          // Only the provider method: the route itself is not decorated.
          assert.equal(
            s.find('dynamo_requests_total', {
              namespace: 'dynamo',
              component: 'api',
              endpoint: 'generate',
            }),
            undefined,
          );
          assert.equal(worker(s, BACKEND('generate')).requests, 4);
        });
      });

      it('after all of the above, no call is left in flight', async (t) => {
        const s = await metrics();
        const gauges = s.matching('dynamo_concurrent_requests');
        assert.ok(gauges.length >= 17);
        for (const sample of gauges) {
          if (sample.labels.endpoint === 'bigint') continue;
          assert.equal(sample.value, 0, JSON.stringify(sample.labels));
        }
        await t.test('bigint (throwing size function) too', () => {
          assert.equal(s.get('dynamo_concurrent_requests', BACKEND('bigint')), 0);
        });
      });
    },
  );
}
