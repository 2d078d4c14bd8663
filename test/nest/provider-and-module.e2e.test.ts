import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConsoleLogger,
  Controller,
  Get,
  HttpException,
  INestApplication,
  Injectable,
  LogLevel,
  Module,
  NotFoundException,
  Scope,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Counter, register } from 'prom-client';
import {
  concat,
  concatMap,
  delay,
  from,
  interval,
  lastValueFrom,
  map,
  Observable,
  of,
  Subject,
  take,
  throwError,
  toArray,
} from 'rxjs';
import {
  Component,
  CounterSeries,
  DistributedRuntime,
  DynamoEndpoint,
  DynamoMetricsModule,
  Endpoint,
  GaugeSeries,
  HistogramSeries,
  InjectComponent,
  InjectEndpoint,
  InjectNamespace,
  Namespace,
} from '../../src';
import { Scrape } from '../support/exposition-parser';
import { http } from '../support/http-client';
import { closeApp, PLATFORMS, scrape, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { sleep } from '../support/net';
import { expected, worker } from '../support/worker-metrics';

// ---------------------------------------------------------------------------------------------
// Application under test
// ---------------------------------------------------------------------------------------------

const bytes = (value: unknown) => Buffer.byteLength(String(value));

@Injectable()
class BackendService {
  @DynamoEndpoint({
    requestSize: (args) => bytes(args[0]),
    responseSize: (result) => bytes(result),
  })
  generate(prompt: string): string {
    return `echo:${prompt}`;
  }

  @DynamoEndpoint({
    requestSize: (args) => bytes(args[0]) + (args[1] as number),
    responseSize: (result) => bytes((result as { text: string }).text),
  })
  async generateAsync(prompt: string, extra: number): Promise<{ text: string }> {
    // In flight long enough for the test's scrape to see it, even on a loaded machine.
    await sleep(300);
    return { text: `async:${prompt}:${extra}` };
  }

  /** Relays `source`, so the test decides when each item and the end arrive. */
  @DynamoEndpoint({ responseSize: (item) => bytes(item) })
  relay(source: Observable<string>): Observable<string> {
    return source.pipe(map((s) => s.toUpperCase()));
  }

  @DynamoEndpoint({ responseSize: (item) => bytes(item) })
  tokens(words: string[]): Observable<string> {
    return from(words).pipe(concatMap((w) => of(w).pipe(delay(3))));
  }

  @DynamoEndpoint({ responseSize: (item) => bytes(item) })
  async *streamTokens(words: string[]): AsyncGenerator<string> {
    for (const w of words) {
      await sleep(3);
      yield w;
    }
  }

  @DynamoEndpoint()
  unsized(input: string): string {
    return input.repeat(3);
  }

  @DynamoEndpoint()
  throws(): never {
    throw new Error('sync failure');
  }

  @DynamoEndpoint()
  async rejects(): Promise<never> {
    await sleep(1);
    throw new Error('async failure');
  }

  @DynamoEndpoint()
  notFound(): never {
    throw new NotFoundException('no such model');
  }

  @DynamoEndpoint()
  unavailable(): never {
    throw new HttpException('overloaded', 503);
  }

  @DynamoEndpoint()
  async rpcRefusal(): Promise<never> {
    throw new RpcException('refused');
  }

  @DynamoEndpoint()
  failingObservable(): Observable<string> {
    return concat(
      of('one'),
      throwError(() => new Error('observable failure')),
    );
  }

  @DynamoEndpoint()
  async *failingGenerator(): AsyncGenerator<string> {
    yield 'one';
    await sleep(1);
    throw new Error('generator failure');
  }

  @DynamoEndpoint()
  endless(): Observable<number> {
    return interval(5);
  }

  @DynamoEndpoint()
  async *endlessGenerator(): AsyncGenerator<number> {
    for (let i = 0; ; i++) {
      await sleep(1);
      yield i;
    }
  }

  /** A size function that throws (as JSON.stringify does on a BigInt). */
  @DynamoEndpoint({ responseSize: (result) => JSON.stringify(result).length })
  bigint(): { value: bigint } {
    return { value: 10n };
  }
}

/** Creates custom metrics at every level through the module's injection tokens. */
@Injectable()
class CustomMetrics {
  readonly runtimeCounter: CounterSeries;
  readonly namespaceGauge: GaugeSeries;
  readonly componentCounter: CounterSeries;
  readonly endpointHistogram: HistogramSeries;

  constructor(
    readonly runtime: DistributedRuntime,
    @InjectNamespace() readonly namespace: Namespace,
    @InjectComponent('backend') readonly component: Component,
    @InjectEndpoint('backend', 'generate') readonly endpoint: Endpoint,
  ) {
    this.runtimeCounter = runtime.createCounter('custom_runtime_total', 'Runtime-level counter');
    this.namespaceGauge = namespace.createGauge('custom_namespace_value', 'Namespace-level gauge');
    this.componentCounter = component.createCounter(
      'custom_component_total',
      'Component-level counter',
      { tier: 'gold' },
    );
    this.endpointHistogram = endpoint.createHistogram(
      'custom_endpoint_seconds',
      'Endpoint-level histogram',
      {},
      [0.5, 1],
    );
  }
}

/** A metric made the `@willsoto/nestjs-prometheus` way, on prom-client's global registry. */
@Injectable()
class LegacyService {
  constructor(@InjectMetric('legacy_total') readonly counter: Counter<string>) {}
}

@Controller('api')
class ApiController {
  constructor(private readonly backend: BackendService) {}

  @Get('hit')
  @DynamoEndpoint()
  hit(): unknown {
    return { hit: true };
  }

  /** Not decorated: only the provider method it calls is recorded. */
  @Get('generate')
  generate(): unknown {
    return { text: this.backend.generate('from-http') };
  }
}

@Module({
  imports: [DynamoMetricsModule.forRoot()],
  controllers: [ApiController],
  providers: [
    BackendService,
    CustomMetrics,
    LegacyService,
    makeCounterProvider({ name: 'legacy_total', help: 'Legacy counter from willsoto' }),
  ],
})
class AppModule {}

// forRootAsync, with options from an injected provider.
const TEST_CONFIG = 'TEST_CONFIG';

@Module({
  providers: [{ provide: TEST_CONFIG, useValue: { namespace: 'ns2' } }],
  exports: [TEST_CONFIG],
})
class TestConfigModule {}

@Module({
  imports: [
    DynamoMetricsModule.forRootAsync({
      imports: [TestConfigModule],
      inject: [TEST_CONFIG],
      useFactory: (config: { namespace: string }) => ({
        namespace: config.namespace,
        prefix: 'svc',
        system: { enabled: true },
      }),
    }),
  ],
  controllers: [ApiController],
  providers: [BackendService, CustomMetrics],
})
class AsyncAppModule {}

@Module({
  imports: [
    DynamoMetricsModule.forRootAsync({ useFactory: () => ({ namespace: 'ns2', prefix: 'svc' }) }),
  ],
  controllers: [ApiController],
  providers: [BackendService],
})
class AsyncNoExposureModule {}

@Controller({ path: 'scoped', scope: Scope.REQUEST })
class ScopedController {
  @Get()
  @DynamoEndpoint()
  scopedHit(): unknown {
    return { scoped: true };
  }
}

@Module({ imports: [DynamoMetricsModule.forRoot()], controllers: [ScopedController] })
class ScopedModule {}

/** Captures what Nest's ConsoleLogger would print, at the levels it is given. */
class CaptureLogger extends ConsoleLogger {
  readonly entries: Array<{ level: LogLevel; context?: string; message: string }> = [];

  constructor(levels: LogLevel[]) {
    super({ logLevels: levels });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
  ): void {
    for (const message of messages) {
      this.entries.push({ level: logLevel ?? 'log', context, message: String(message) });
    }
  }
}

// ---------------------------------------------------------------------------------------------

const BACKEND = (endpoint: string) => ({ namespace: 'dynamo', component: 'backend', endpoint });

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
        ({ app, port } = await startApp(platform, AppModule));
        backend = app.get(BackendService);
      });

      after(async () => {
        await closeApp(app);
        register.removeSingleMetric('legacy_total');
      });

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
