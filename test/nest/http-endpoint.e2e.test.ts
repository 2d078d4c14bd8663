import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import {
  BadRequestException,
  Body,
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Header,
  HttpCode,
  INestApplication,
  Injectable,
  MessageEvent,
  Module,
  NestInterceptor,
  Param,
  PipeTransform,
  Post,
  Res,
  Sse,
  StreamableFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { concat, interval, map, Observable, of, take, throwError, delay } from 'rxjs';
import { DynamoEndpoint, DynamoMetricsModule } from '../../src';
import { gate } from '../support/gate';
import {
  abortAfter,
  abortAfterFirstEvent,
  http,
  HttpResult,
  openStream,
  pendingRequest,
  postJson,
  sseData,
} from '../support/http-client';
import { closeApp, PLATFORMS, scrape, startApp, SUITE_TIMEOUT_MS } from '../support/nest-app';
import { sleep } from '../support/net';
import { poll } from '../support/poll';
import { expected, worker, WorkerSnapshot } from '../support/worker-metrics';

// ---------------------------------------------------------------------------------------------
// Application under test
// ---------------------------------------------------------------------------------------------

/** Opened by the tests, so requests stay in flight exactly as long as they want. */
let workGate = gate();
let slowGate = gate();

/** Non-ASCII on purpose: byte counts differ from character counts. */
const REPLY_TEXT = 'héllo wörld ✓ 🚀';

@Injectable()
class HeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
    return req.headers['x-allow'] === 'yes';
  }
}

@Injectable()
class OkPipe implements PipeTransform {
  transform(value: unknown): unknown {
    const body = value as { ok?: unknown } | undefined;
    if (!body || body.ok !== true) throw new BadRequestException('ok must be true');
    return { ...body, piped: true };
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data) => ({ wrapped: data })));
  }
}

interface SendReply {
  status(code: number): SendReply;
  send(body: unknown): unknown;
  raw?: ServerResponse;
}

@Controller('chat')
class ChatController {
  // Decorator order: @DynamoEndpoint above the route decorator.
  @DynamoEndpoint()
  @Post('completions')
  chatCompletions(@Body() body: unknown): unknown {
    return { echo: body, text: REPLY_TEXT };
  }

  // Decorator order: @DynamoEndpoint below the route decorator.
  @Post('completions-below')
  @DynamoEndpoint()
  chatCompletionsBelow(@Body() body: unknown): unknown {
    return { echo: body, below: true };
  }

  @Get('generate')
  @DynamoEndpoint({ component: 'llm', endpoint: 'generate_text' })
  generate(): unknown {
    return { generated: REPLY_TEXT };
  }

  @DynamoEndpoint({ namespace: 'other_ns' })
  @Get('elsewhere')
  elsewhere(): unknown {
    return { where: 'elsewhere' };
  }

  @DynamoEndpoint()
  @Get('async-json')
  async asyncJson(): Promise<unknown> {
    await sleep(2);
    return { list: [1, 2, 3], text: REPLY_TEXT };
  }

  @Get('text')
  @DynamoEndpoint()
  plainText(): string {
    return REPLY_TEXT;
  }

  /** Only ever requested with HEAD. */
  @Get('head-only')
  @DynamoEndpoint()
  headOnly(): string {
    return REPLY_TEXT;
  }

  @Post('passthrough')
  @DynamoEndpoint()
  passthrough(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: { header(name: string, value: string): unknown },
  ): unknown {
    res.header('x-passthrough', 'yes');
    return { body };
  }
}

@Controller('stream')
class StreamController {
  @Sse('sse')
  @DynamoEndpoint()
  sseEvents(): Observable<MessageEvent> {
    return interval(20).pipe(
      take(3),
      map((i) => ({ data: { i, text: REPLY_TEXT } })),
    );
  }

  @DynamoEndpoint()
  @Sse('sse-fail')
  sseFails(): Observable<MessageEvent> {
    return concat(
      of({ data: 'first' }, { data: 'second ✓' }).pipe(delay(5)),
      throwError(() => new Error('upstream broke mid-stream')),
    );
  }

  @Sse('sse-slow')
  @DynamoEndpoint()
  sseSlow(): Observable<MessageEvent> {
    return interval(25).pipe(map((i) => ({ data: `tick ${i}` })));
  }

  @Get('generator')
  @DynamoEndpoint()
  async *tokens(): AsyncGenerator<unknown> {
    for (const token of ['Hel', 'lo ', 'wörld ✓']) {
      await sleep(5);
      yield token;
    }
  }

  @Get('generator-slow')
  @DynamoEndpoint()
  async *tokensSlow(): AsyncGenerator<unknown> {
    for (let i = 0; ; i++) {
      yield `token ${i}\n`;
      await sleep(25);
    }
  }

  @Get('file')
  @DynamoEndpoint()
  file(): StreamableFile {
    return new StreamableFile(Buffer.from(`file body ${REPLY_TEXT}`), {
      type: 'text/plain; charset=utf-8',
    });
  }

  @Get('readable-file')
  @DynamoEndpoint()
  readableFile(): StreamableFile {
    return new StreamableFile(Readable.from([Buffer.from('part one, '), Buffer.from('part twö')]), {
      type: 'application/octet-stream',
    });
  }

  /** A plain (non-SSE) route returning an Observable: Nest sends its last value as JSON. */
  @Get('observable')
  @DynamoEndpoint()
  observableJson(): Observable<unknown> {
    return of({ from: 'observable', text: REPLY_TEXT }).pipe(delay(5));
  }

  /** Emits nothing for a long time: the client leaves first. */
  @Get('observable-slow')
  @DynamoEndpoint()
  observableSlow(): Observable<unknown> {
    return interval(60_000).pipe(map(() => ({ late: true })));
  }

  /** Holds the request until the test opens `slowGate`. */
  @Get('promise-slow')
  @DynamoEndpoint()
  async promiseSlow(): Promise<unknown> {
    await slowGate.wait();
    return { late: true };
  }

  /** @Res() without passthrough: the handler answers through the platform's reply. */
  @DynamoEndpoint()
  @Get('manual-send')
  manualSend(@Res() res: SendReply): void {
    res.status(201).send({ manual: true, text: REPLY_TEXT });
  }

  /** @Res() without passthrough: several raw writes, the last one after a delay. */
  @Get('manual-raw')
  @DynamoEndpoint()
  manualRaw(@Res() res: SendReply): void {
    const raw = (res.raw ?? res) as unknown as ServerResponse;
    raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    raw.write('chunk-1 é\n');
    raw.write(Buffer.from('chunk-2 ✓\n'));
    setTimeout(() => raw.end('chunk-3 🚀\n'), 5);
  }
}

@Controller('errors')
class FailureController {
  @Get('throw')
  @DynamoEndpoint()
  throws(): never {
    throw new Error('handler blew up');
  }

  @DynamoEndpoint()
  @Get('reject')
  async rejects(): Promise<never> {
    await sleep(2);
    throw new Error('async handler blew up');
  }

  @Get('bad-request')
  @DynamoEndpoint()
  badRequest(): never {
    throw new BadRequestException('bad input');
  }
}

@Controller('mix')
class MixController {
  @Get('work/:mode')
  @DynamoEndpoint()
  async work(@Param('mode') mode: string): Promise<unknown> {
    await workGate.wait();
    if (mode === 'throw') throw new Error('failed while working');
    return { done: mode };
  }

  @Sse('stream')
  @DynamoEndpoint()
  stream(): Observable<MessageEvent> {
    return interval(15).pipe(map((i) => ({ data: `n${i}` })));
  }
}

@Controller('guarded')
class GuardedController {
  // Guard below the endpoint decorator.
  @DynamoEndpoint()
  @UseGuards(HeaderGuard)
  @Get('guard-below')
  guardBelow(): unknown {
    return { passed: 'guard' };
  }

  // Guard above the endpoint decorator.
  @UseGuards(HeaderGuard)
  @Get('guard-above')
  @DynamoEndpoint()
  guardAbove(): unknown {
    return { passed: 'guard' };
  }

  @Post('piped')
  @DynamoEndpoint()
  piped(@Body(OkPipe) body: unknown): unknown {
    return body;
  }

  @DynamoEndpoint()
  @Post('decorated')
  @HttpCode(202)
  @Header('x-dynamo-test', 'kept')
  @UseInterceptors(WrapInterceptor)
  decorated(@Body() body: unknown): unknown {
    return { body };
  }

  @Post('decorated-above')
  @HttpCode(203)
  @Header('x-dynamo-test', 'above')
  @UseInterceptors(WrapInterceptor)
  @DynamoEndpoint()
  decoratedAbove(@Body() body: unknown): unknown {
    return { body };
  }
}

@Module({
  imports: [DynamoMetricsModule.forRoot()],
  controllers: [
    ChatController,
    StreamController,
    FailureController,
    MixController,
    GuardedController,
  ],
  providers: [HeaderGuard, OkPipe, WrapInterceptor],
})
class AppModule {}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

type Labels = { namespace: string; component: string; endpoint: string };
type ErrorType = keyof WorkerSnapshot['errors'];

const L = (component: string, endpoint: string, namespace = 'dynamo'): Labels => ({
  namespace,
  component,
  endpoint,
});

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * A route called `calls` times on a fresh endpoint: every call answers `status` and passes
 * `reply`; the worker metrics then show exactly those calls, the JSON body's bytes in, the bytes
 * the client received out, and one `error` per call when given.
 */
interface RouteCase {
  title: string;
  method?: 'GET' | 'POST' | 'HEAD';
  path: string;
  /** Sent as the JSON body of a POST. */
  json?: unknown;
  calls?: number;
  status: number;
  reply?: (res: HttpResult) => void;
  labels: Labels;
  error?: ErrorType;
  /** The handler's own timers make each call last at least this long (seconds). */
  minDuration?: number;
}

const bytes = (text: string) => Buffer.byteLength(text);

const ROUTES: RouteCase[] = [
  {
    title: 'works with the decorator below the route decorator',
    path: '/chat/completions-below',
    json: { below: 'yes' },
    status: 201,
    reply: (res) => assert.deepEqual(JSON.parse(res.text), { echo: { below: 'yes' }, below: true }),
    labels: L('chat', 'chat_completions_below'),
  },
  {
    title: 'a Promise result: exact body bytes',
    path: '/chat/async-json',
    status: 200,
    reply: (res) => assert.deepEqual(JSON.parse(res.text), { list: [1, 2, 3], text: REPLY_TEXT }),
    labels: L('chat', 'async_json'),
  },
  {
    title: 'a plain string result: exact body bytes',
    path: '/chat/text',
    status: 200,
    reply: (res) => {
      assert.equal(res.text, REPLY_TEXT);
      assert.equal(res.received, bytes(REPLY_TEXT));
    },
    labels: L('chat', 'plain_text'),
  },
  {
    title: 'an explicit @Res({ passthrough: true }) keeps working and is the one measured',
    path: '/chat/passthrough',
    json: { pass: 'through' },
    status: 201,
    reply: (res) => {
      assert.equal(res.headers['x-passthrough'], 'yes');
      assert.deepEqual(JSON.parse(res.text), { body: { pass: 'through' } });
    },
    labels: L('chat', 'passthrough'),
  },
  {
    title: 'SSE Observable: every event byte, duration until the stream ends',
    path: '/stream/sse',
    status: 200,
    reply: (res) => {
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      assert.deepEqual(
        sseData(res.text).map((d) => JSON.parse(d)),
        [0, 1, 2].map((i) => ({ i, text: REPLY_TEXT })),
      );
    },
    labels: L('stream', 'sse_events'),
    // Three events 20 ms apart: the call lasted at least until the third one.
    minDuration: 0.05,
  },
  {
    title: 'async generator result streamed by Nest: every chunk byte, duration until the end',
    path: '/stream/generator',
    status: 200,
    reply: (res) => {
      assert.equal(res.text, 'Hello wörld ✓');
      assert.equal(res.received, bytes('Hello wörld ✓'));
    },
    labels: L('stream', 'tokens'),
    // Three 5 ms pauses before the tokens.
    minDuration: 0.012,
  },
  {
    title: 'StreamableFile from a Buffer',
    path: '/stream/file',
    status: 200,
    reply: (res) => {
      assert.equal(res.text, `file body ${REPLY_TEXT}`);
      assert.equal(res.received, bytes(`file body ${REPLY_TEXT}`));
    },
    labels: L('stream', 'file'),
  },
  {
    title: 'StreamableFile from a Readable',
    path: '/stream/readable-file',
    status: 200,
    reply: (res) => assert.equal(res.text, 'part one, part twö'),
    labels: L('stream', 'readable_file'),
  },
  {
    title: 'an Observable from a plain route: its value sent as JSON, exact bytes',
    path: '/stream/observable',
    status: 200,
    reply: (res) =>
      assert.deepEqual(JSON.parse(res.text), { from: 'observable', text: REPLY_TEXT }),
    labels: L('stream', 'observable_json'),
  },
  {
    title: '@Res() manual reply through the platform (send)',
    path: '/stream/manual-send',
    status: 201,
    reply: (res) => assert.deepEqual(JSON.parse(res.text), { manual: true, text: REPLY_TEXT }),
    labels: L('stream', 'manual_send'),
  },
  {
    title: '@Res() manual raw writes (write, write, delayed end)',
    path: '/stream/manual-raw',
    status: 200,
    reply: (res) => {
      assert.equal(res.text, 'chunk-1 é\nchunk-2 ✓\nchunk-3 🚀\n');
      assert.equal(res.received, bytes('chunk-1 é\nchunk-2 ✓\nchunk-3 🚀\n'));
    },
    labels: L('stream', 'manual_raw'),
  },
  {
    title: 'HEAD of a route sends no body, so no response bytes',
    method: 'HEAD',
    path: '/chat/head-only',
    status: 200,
    reply: (res) => {
      assert.equal(res.received, 0);
      assert.equal(res.headers['content-length'], String(bytes(REPLY_TEXT)));
    },
    labels: L('chat', 'head_only'),
  },
  {
    title: 'handler throws Error -> 500, error_type="handler_error"',
    path: '/errors/throw',
    calls: 2,
    status: 500,
    labels: L('failure', 'throws'),
    error: 'handler_error',
  },
  {
    title: 'async handler rejects -> 500, error_type="handler_error"',
    path: '/errors/reject',
    status: 500,
    labels: L('failure', 'rejects'),
    error: 'handler_error',
  },
  {
    title: 'handler throws BadRequestException -> 400, error_type="client_error"',
    path: '/errors/bad-request',
    status: 400,
    reply: (res) => assert.equal(JSON.parse(res.text).message, 'bad input'),
    labels: L('failure', 'bad_request'),
    error: 'client_error',
  },
  {
    title: 'SSE Observable errors mid-stream -> error_type="stream_error"',
    path: '/stream/sse-fail',
    status: 200,
    reply: (res) => {
      assert.deepEqual(sseData(res.text).slice(0, 2), ['first', 'second ✓']);
      assert.match(res.text, /event: error/);
    },
    labels: L('stream', 'sse_fails'),
    error: 'stream_error',
  },
];

/** Streams the client leaves after their first chunk: cancelled once, gauge back to 0. */
const ABORTED_STREAMS = [
  {
    title: 'client aborts a slow SSE stream -> error_type="cancelled", gauge back to 0',
    leave: (port: number) => abortAfterFirstEvent(port, '/stream/sse-slow'),
    first: /data: tick 0/,
    labels: L('stream', 'sse_slow'),
  },
  {
    title: 'client aborts a slow async-generator stream -> "cancelled", gauge back to 0',
    leave: (port: number) => abortAfter(port, '/stream/generator-slow'),
    first: /^token 0/,
    labels: L('stream', 'tokens_slow'),
  },
];

for (const platform of PLATFORMS) {
  describe(`@DynamoEndpoint on HTTP routes (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    let app: INestApplication;
    let port: number;

    before(async () => {
      ({ app, port } = await startApp(platform, AppModule, { rawBody: true }));
    });

    after(async () => {
      workGate.open();
      slowGate.open();
      await closeApp(app);
    });

    const snapshot = async (labels: Labels) => worker(await scrape(app), labels);

    describe('one route, exact counts and bytes', () => {
      for (const c of ROUTES) {
        it(c.title, async () => {
          const body = c.json === undefined ? undefined : JSON.stringify(c.json);
          const calls = c.calls ?? 1;
          let received = 0;
          for (let i = 0; i < calls; i++) {
            const method = c.method ?? (body === undefined ? 'GET' : 'POST');
            const res = await http(port, method, c.path, body, body ? JSON_HEADERS : {});
            assert.equal(res.status, c.status, res.text);
            c.reply?.(res);
            received += res.received;
          }
          const s = await scrape(app);
          assert.deepEqual(
            worker(s, c.labels),
            expected({
              requests: calls,
              durationCount: calls,
              requestBytes: body === undefined ? 0 : calls * bytes(body),
              responseBytes: received,
              errors: c.error ? { [c.error]: calls } : {},
            }),
          );
          if (c.minDuration !== undefined) {
            const sum = s.get('dynamo_request_duration_seconds_sum', c.labels);
            assert.ok(sum >= c.minDuration, `duration sum ${sum} s`);
          }
        });
      }
    });

    describe('labels', () => {
      it('derives component from the class and endpoint from the method (decorator above the route)', async () => {
        const body = JSON.stringify({ prompt: 'Grüß Gott 🚀', n: 1 });
        let received = 0;
        for (let i = 0; i < 3; i++) {
          const res = await http(port, 'POST', '/chat/completions', body, JSON_HEADERS);
          assert.equal(res.status, 201);
          assert.deepEqual(JSON.parse(res.text), {
            echo: { prompt: 'Grüß Gott 🚀', n: 1 },
            text: REPLY_TEXT,
          });
          received += res.received;
        }
        const s = await scrape(app);
        const labels = L('chat', 'chat_completions');
        // Duration buckets agree with the count.
        assert.equal(s.get('dynamo_request_duration_seconds_bucket', { ...labels, le: '+Inf' }), 3);
        assert.ok(s.get('dynamo_request_duration_seconds_sum', labels) > 0);
        // Nothing under a name that was not derived this way.
        assert.equal(
          s.find('dynamo_requests_total', L('chat_controller', 'chat_completions')),
          undefined,
        );
        assert.equal(s.find('dynamo_requests_total', L('chat', 'chatCompletions')), undefined);
        assert.deepEqual(
          worker(s, labels),
          expected({
            requests: 3,
            durationCount: 3,
            requestBytes: 3 * bytes(body),
            responseBytes: received,
          }),
        );
      });

      it('applies component / endpoint / namespace overrides from the decorator options', async () => {
        const a = await http(port, 'GET', '/chat/generate');
        const b1 = await http(port, 'GET', '/chat/elsewhere');
        const b2 = await http(port, 'GET', '/chat/elsewhere');
        assert.deepEqual([a.status, b1.status, b2.status], [200, 200, 200]);
        const s = await scrape(app);
        assert.equal(s.find('dynamo_requests_total', L('chat', 'generate')), undefined);
        assert.equal(s.find('dynamo_requests_total', L('llm', 'generate')), undefined);
        assert.equal(s.find('dynamo_requests_total', L('chat', 'elsewhere')), undefined);
        assert.deepEqual(
          worker(s, L('llm', 'generate_text')),
          expected({ requests: 1, durationCount: 1, responseBytes: a.received }),
        );
        assert.deepEqual(
          worker(s, L('chat', 'elsewhere', 'other_ns')),
          expected({ requests: 2, durationCount: 2, responseBytes: b1.received + b2.received }),
        );
      });

      it('a chunked upload (no Content-Length) counts the raw body bytes (rawBody: true)', async () => {
        const labels = L('chat', 'chat_completions_below');
        const before = await snapshot(labels);
        const parts = ['{"parts":["één",', '"twee ✓",', '"drie 🚀"]}'];
        const res = await http(port, 'POST', '/chat/completions-below', parts, JSON_HEADERS);
        assert.equal(res.status, 201);
        assert.deepEqual(JSON.parse(res.text), {
          echo: { parts: ['één', 'twee ✓', 'drie 🚀'] },
          below: true,
        });
        const w = await snapshot(labels);
        assert.deepEqual(
          w,
          expected({
            requests: before.requests + 1,
            durationCount: before.durationCount + 1,
            requestBytes: before.requestBytes + bytes(parts.join('')),
            responseBytes: before.responseBytes + res.received,
          }),
        );
      });
    });

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
        slowGate = gate();
        await abortWhileHandling('/stream/promise-slow', 'promise_slow');
        slowGate.open();
        await sleep(20);
        assert.deepEqual(
          await snapshot(L('stream', 'promise_slow')),
          expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }),
        );
      });
    });

    describe('concurrency', () => {
      it('a concurrent mix of successes, throws and aborts: gauge exact while in flight, 0 after, counts add up', async (t) => {
        workGate = gate();
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
        workGate.open();
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

    describe('other decorators keep working', () => {
      for (const [route, endpoint] of [
        ['guard-below', 'guard_below'],
        ['guard-above', 'guard_above'],
      ] as const) {
        it(`a guard that refuses (${route}) -> 403, not counted; allowed -> counted once`, async () => {
          const refused = await http(port, 'GET', `/guarded/${route}`);
          assert.equal(refused.status, 403);
          assert.deepEqual(await snapshot(L('guarded', endpoint)), expected({}));

          const allowed = await http(port, 'GET', `/guarded/${route}`, undefined, {
            'x-allow': 'yes',
          });
          assert.equal(allowed.status, 200);
          assert.deepEqual(JSON.parse(allowed.text), { passed: 'guard' });
          assert.deepEqual(
            await snapshot(L('guarded', endpoint)),
            expected({ requests: 1, durationCount: 1, responseBytes: allowed.received }),
          );
        });
      }

      it('a pipe that rejects the body -> 400, not counted; a transforming pipe still applies', async () => {
        const rejected = await postJson(port, '/guarded/piped', { ok: false });
        assert.equal(rejected.status, 400);
        assert.equal(JSON.parse(rejected.text).message, 'ok must be true');
        assert.deepEqual(await snapshot(L('guarded', 'piped')), expected({}));

        const body = JSON.stringify({ ok: true, note: 'ünïcode' });
        const accepted = await http(port, 'POST', '/guarded/piped', body, JSON_HEADERS);
        assert.equal(accepted.status, 201);
        assert.deepEqual(JSON.parse(accepted.text), { ok: true, note: 'ünïcode', piped: true });
        assert.deepEqual(
          await snapshot(L('guarded', 'piped')),
          expected({
            requests: 1,
            durationCount: 1,
            requestBytes: bytes(body),
            responseBytes: accepted.received,
          }),
        );
      });

      for (const [route, endpoint, status, header] of [
        ['decorated', 'decorated', 202, 'kept'],
        ['decorated-above', 'decorated_above', 203, 'above'],
      ] as const) {
        it(`@HttpCode, @Header and an interceptor survive (${route})`, async () => {
          const body = JSON.stringify({ x: 1 });
          const res = await http(port, 'POST', `/guarded/${route}`, body, JSON_HEADERS);
          assert.equal(res.status, status);
          assert.equal(res.headers['x-dynamo-test'], header);
          assert.deepEqual(JSON.parse(res.text), { wrapped: { body: { x: 1 } } });
          assert.deepEqual(
            await snapshot(L('guarded', endpoint)),
            expected({
              requests: 1,
              durationCount: 1,
              requestBytes: bytes(body),
              responseBytes: res.received,
            }),
          );
        });
      }
    });
  });
}
