import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, ServerResponse } from 'node:http';
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
import {
  abortAfter,
  abortAfterFirstEvent,
  assertWorker,
  closeApp,
  eventually,
  expected,
  http,
  HttpResult,
  knownBug,
  openStream,
  pendingRequest,
  PLATFORMS,
  postJson,
  scrape,
  sleep,
  startHttpApp,
  SUITE_TIMEOUT_MS,
  worker,
} from '../support/nest-e2e';

// ---------------------------------------------------------------------------------------------
// Application under test
// ---------------------------------------------------------------------------------------------

/** Released by the test, so requests stay in flight exactly as long as it wants. */
class Gate {
  private release!: () => void;
  private promise!: Promise<void>;
  constructor() {
    this.reset();
  }
  reset(): void {
    this.promise = new Promise((r) => (this.release = r));
  }
  wait(): Promise<void> {
    return this.promise;
  }
  open(): void {
    this.release();
  }
}
const gate = new Gate();
const slowGate = new Gate();

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
    await gate.wait();
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

/** Fixed; kept as a constant so the regression subtests stay named alike. */
const FASTIFY_RAW_BODY_BUG: string | undefined = undefined;

/** Fixed; kept as a constant so the regression subtests stay named alike. */
const HEAD_BYTES_BUG: string | undefined = undefined;

/** POSTs JSON with Transfer-Encoding: chunked (no Content-Length), one write per part. */
function chunkedPost(port: number, path: string, parts: string[]): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: false,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            received: body.length,
            text: body.toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    for (const part of parts) req.write(part);
    req.end();
  });
}

const L = (component: string, endpoint: string, namespace = 'dynamo') => ({
  namespace,
  component,
  endpoint,
});

/** The `data:` payloads of an SSE body, in order. */
function parseSseData(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
}

for (const platform of PLATFORMS) {
  describe(`@DynamoEndpoint on HTTP routes (${platform})`, { timeout: SUITE_TIMEOUT_MS }, () => {
    let app: INestApplication;
    let port: number;
    const RAW_BODY_BUG = platform === 'fastify' ? FASTIFY_RAW_BODY_BUG : undefined;

    before(async () => {
      ({ app, port } = await startHttpApp(platform, AppModule, { rawBody: true }));
    });

    after(async () => {
      gate.open();
      await closeApp(app);
    });

    describe('labels and counts', () => {
      it('derives component from the class and endpoint from the method (decorator above the route)', async (t) => {
        const body = JSON.stringify({ prompt: 'Grüß Gott 🚀', n: 1 });
        const sizes: number[] = [];
        for (let i = 0; i < 3; i++) {
          const res = await http(port, 'POST', '/chat/completions', body, {
            'content-type': 'application/json',
          });
          assert.equal(res.status, 201);
          assert.deepEqual(JSON.parse(res.text), {
            echo: { prompt: 'Grüß Gott 🚀', n: 1 },
            text: REPLY_TEXT,
          });
          sizes.push(res.received);
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
        await assertWorker(
          t,
          worker(s, labels),
          expected({
            requests: 3,
            durationCount: 3,
            requestBytes: 3 * Buffer.byteLength(body),
            responseBytes: sizes.reduce((a, b) => a + b, 0),
          }),
        );
      });

      it('works with the decorator below the route decorator', async (t) => {
        const body = JSON.stringify({ below: 'yes' });
        const res = await http(port, 'POST', '/chat/completions-below', body, {
          'content-type': 'application/json',
        });
        assert.equal(res.status, 201);
        assert.deepEqual(JSON.parse(res.text), { echo: { below: 'yes' }, below: true });
        await assertWorker(
          t,
          worker(await scrape(app), L('chat', 'chat_completions_below')),
          expected({
            requests: 1,
            durationCount: 1,
            requestBytes: Buffer.byteLength(body),
            responseBytes: res.received,
          }),
        );
      });

      it('applies component / endpoint / namespace overrides from the decorator options', async (t) => {
        const a = await http(port, 'GET', '/chat/generate');
        const b1 = await http(port, 'GET', '/chat/elsewhere');
        const b2 = await http(port, 'GET', '/chat/elsewhere');
        assert.equal(a.status, 200);
        assert.equal(b1.status, 200);
        assert.equal(b2.status, 200);
        const s = await scrape(app);
        assert.equal(s.find('dynamo_requests_total', L('chat', 'generate')), undefined);
        assert.equal(s.find('dynamo_requests_total', L('llm', 'generate')), undefined);
        assert.equal(s.find('dynamo_requests_total', L('chat', 'elsewhere')), undefined);
        await assertWorker(
          t,
          worker(s, L('llm', 'generate_text')),
          expected({ requests: 1, durationCount: 1, responseBytes: a.received }),
        );
        await assertWorker(
          t,
          worker(s, L('chat', 'elsewhere', 'other_ns')),
          expected({ requests: 2, durationCount: 2, responseBytes: b1.received + b2.received }),
        );
      });

      it('counts a Promise result and a plain string result with their exact body bytes', async (t) => {
        const json = await http(port, 'GET', '/chat/async-json');
        const text = await http(port, 'GET', '/chat/text');
        assert.equal(json.status, 200);
        assert.deepEqual(JSON.parse(json.text), { list: [1, 2, 3], text: REPLY_TEXT });
        assert.equal(text.text, REPLY_TEXT);
        assert.equal(text.received, Buffer.byteLength(REPLY_TEXT));
        const s = await scrape(app);
        await assertWorker(
          t,
          worker(s, L('chat', 'async_json')),
          expected({ requests: 1, durationCount: 1, responseBytes: json.received }),
        );
        await assertWorker(
          t,
          worker(s, L('chat', 'plain_text')),
          expected({ requests: 1, durationCount: 1, responseBytes: Buffer.byteLength(REPLY_TEXT) }),
        );
      });

      it('an explicit @Res({ passthrough: true }) keeps working and is the one measured', async (t) => {
        const body = JSON.stringify({ pass: 'through' });
        const res = await http(port, 'POST', '/chat/passthrough', body, {
          'content-type': 'application/json',
        });
        assert.equal(res.status, 201);
        assert.equal(res.headers['x-passthrough'], 'yes');
        assert.deepEqual(JSON.parse(res.text), { body: { pass: 'through' } });
        await assertWorker(
          t,
          worker(await scrape(app), L('chat', 'passthrough')),
          expected({
            requests: 1,
            durationCount: 1,
            requestBytes: Buffer.byteLength(body),
            responseBytes: res.received,
          }),
        );
      });

      it('a chunked upload (no Content-Length) counts the raw body bytes (rawBody: true)', async (t) => {
        const parts = ['{"parts":["één",', '"twee ✓",', '"drie 🚀"]}'];
        const res = await chunkedPost(port, '/chat/completions-below', parts);
        assert.equal(res.status, 201);
        assert.deepEqual(JSON.parse(res.text), {
          echo: { parts: ['één', 'twee ✓', 'drie 🚀'] },
          below: true,
        });
        // completions-below was called once by an earlier test.
        const w = worker(await scrape(app), L('chat', 'chat_completions_below'));
        assert.equal(w.requests, 2);
        assert.equal(w.durationCount, 2);
        assert.equal(w.concurrent, 0);
        await knownBug(t, 'request bytes of the chunked body', RAW_BODY_BUG, () => {
          assert.equal(
            w.requestBytes,
            Buffer.byteLength(JSON.stringify({ below: 'yes' })) + Buffer.byteLength(parts.join('')),
          );
        });
      });
    });

    describe('streamed responses', () => {
      it('SSE Observable: every event byte, duration until the stream ends', async (t) => {
        const res = await http(port, 'GET', '/stream/sse');
        assert.equal(res.status, 200);
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        assert.deepEqual(
          parseSseData(res.text).map((d) => JSON.parse(d)),
          [0, 1, 2].map((i) => ({ i, text: REPLY_TEXT })),
        );
        const s = await scrape(app);
        await assertWorker(
          t,
          worker(s, L('stream', 'sse_events')),
          expected({ requests: 1, durationCount: 1, responseBytes: res.received }),
        );
        // Three events 20 ms apart: the call lasted at least until the third one.
        assert.ok(s.get('dynamo_request_duration_seconds_sum', L('stream', 'sse_events')) >= 0.05);
      });

      it('async generator result streamed by Nest: every chunk byte, duration until the end', async (t) => {
        const res = await http(port, 'GET', '/stream/generator');
        assert.equal(res.status, 200);
        assert.equal(res.text, 'Hello wörld ✓');
        assert.equal(res.received, Buffer.byteLength('Hello wörld ✓'));
        const s = await scrape(app);
        await assertWorker(
          t,
          worker(s, L('stream', 'tokens')),
          expected({
            requests: 1,
            durationCount: 1,
            responseBytes: Buffer.byteLength('Hello wörld ✓'),
          }),
        );
        // Three 5 ms pauses before the tokens.
        assert.ok(s.get('dynamo_request_duration_seconds_sum', L('stream', 'tokens')) >= 0.012);
      });

      it('StreamableFile from a Buffer and from a Readable', async (t) => {
        const a = await http(port, 'GET', '/stream/file');
        const b = await http(port, 'GET', '/stream/readable-file');
        assert.equal(a.text, `file body ${REPLY_TEXT}`);
        assert.equal(b.text, 'part one, part twö');
        assert.equal(a.received, Buffer.byteLength(`file body ${REPLY_TEXT}`));
        const s = await scrape(app);
        await assertWorker(
          t,
          worker(s, L('stream', 'file')),
          expected({ requests: 1, durationCount: 1, responseBytes: a.received }),
        );
        await assertWorker(
          t,
          worker(s, L('stream', 'readable_file')),
          expected({
            requests: 1,
            durationCount: 1,
            responseBytes: Buffer.byteLength('part one, part twö'),
          }),
        );
      });

      it('an Observable from a plain route: its value sent as JSON, exact bytes', async (t) => {
        const res = await http(port, 'GET', '/stream/observable');
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.text), { from: 'observable', text: REPLY_TEXT });
        await assertWorker(
          t,
          worker(await scrape(app), L('stream', 'observable_json')),
          expected({ requests: 1, durationCount: 1, responseBytes: res.received }),
        );
      });

      it('@Res() manual reply through the platform (send)', async (t) => {
        const res = await http(port, 'GET', '/stream/manual-send');
        assert.equal(res.status, 201);
        assert.deepEqual(JSON.parse(res.text), { manual: true, text: REPLY_TEXT });
        await assertWorker(
          t,
          worker(await scrape(app), L('stream', 'manual_send')),
          expected({ requests: 1, durationCount: 1, responseBytes: res.received }),
        );
      });

      it('@Res() manual raw writes (write, write, delayed end)', async (t) => {
        const res = await http(port, 'GET', '/stream/manual-raw');
        assert.equal(res.status, 200);
        const sent = 'chunk-1 é\nchunk-2 ✓\nchunk-3 🚀\n';
        assert.equal(res.text, sent);
        assert.equal(res.received, Buffer.byteLength(sent));
        await assertWorker(
          t,
          worker(await scrape(app), L('stream', 'manual_raw')),
          expected({ requests: 1, durationCount: 1, responseBytes: Buffer.byteLength(sent) }),
        );
      });
    });

    describe('failures', () => {
      it('handler throws Error -> 500, error_type="handler_error"', async (t) => {
        const a = await http(port, 'GET', '/errors/throw');
        const b = await http(port, 'GET', '/errors/throw');
        assert.equal(a.status, 500);
        assert.equal(b.status, 500);
        await assertWorker(
          t,
          worker(await scrape(app), L('failure', 'throws')),
          expected({
            requests: 2,
            durationCount: 2,
            responseBytes: a.received + b.received,
            errors: { handler_error: 2 },
          }),
        );
      });

      it('async handler rejects -> 500, error_type="handler_error"', async (t) => {
        const a = await http(port, 'GET', '/errors/reject');
        assert.equal(a.status, 500);
        await assertWorker(
          t,
          worker(await scrape(app), L('failure', 'rejects')),
          expected({
            requests: 1,
            durationCount: 1,
            responseBytes: a.received,
            errors: { handler_error: 1 },
          }),
        );
      });

      it('handler throws BadRequestException -> 400, error_type="client_error"', async (t) => {
        const a = await http(port, 'GET', '/errors/bad-request');
        assert.equal(a.status, 400);
        assert.equal(JSON.parse(a.text).message, 'bad input');
        await assertWorker(
          t,
          worker(await scrape(app), L('failure', 'bad_request')),
          expected({
            requests: 1,
            durationCount: 1,
            responseBytes: a.received,
            errors: { client_error: 1 },
          }),
        );
      });

      it('SSE Observable errors mid-stream -> error_type="stream_error"', async (t) => {
        const res = await http(port, 'GET', '/stream/sse-fail');
        assert.equal(res.status, 200);
        const data = parseSseData(res.text);
        assert.deepEqual(data.slice(0, 2), ['first', 'second ✓']);
        assert.match(res.text, /event: error/);
        await assertWorker(
          t,
          worker(await scrape(app), L('stream', 'sse_fails')),
          expected({
            requests: 1,
            durationCount: 1,
            responseBytes: res.received,
            errors: { stream_error: 1 },
          }),
        );
      });

      it('client aborts a slow SSE stream -> error_type="cancelled", gauge back to 0', async () => {
        const first = await abortAfterFirstEvent(port, '/stream/sse-slow');
        assert.match(first, /data: tick 0/);
        const w = await eventually(async () => {
          const snap = worker(await scrape(app), L('stream', 'sse_slow'));
          assert.equal(snap.durationCount, 1);
          return snap;
        });
        assert.equal(w.concurrent, 0);
        assert.equal(w.requests, 1);
        assert.deepEqual(w.errors, {
          client_error: 0,
          handler_error: 0,
          stream_error: 0,
          cancelled: 1,
        });
        // At least what the client got before it left was written.
        assert.ok(w.responseBytes >= Buffer.byteLength(first), `${w.responseBytes} bytes`);
      });

      it('client aborts a slow async-generator stream -> "cancelled", gauge back to 0', async () => {
        const first = await abortAfter(port, '/stream/generator-slow');
        assert.match(first, /^token 0/);
        const w = await eventually(async () => {
          const snap = worker(await scrape(app), L('stream', 'tokens_slow'));
          assert.equal(snap.durationCount, 1);
          return snap;
        });
        assert.equal(w.concurrent, 0);
        assert.equal(w.requests, 1);
        assert.deepEqual(w.errors, {
          client_error: 0,
          handler_error: 0,
          stream_error: 0,
          cancelled: 1,
        });
        assert.ok(w.responseBytes >= Buffer.byteLength(first), `${w.responseBytes} bytes`);
      });
    });

    describe('clients that leave before the answer', () => {
      /** Starts the request, waits until the handler is running, then aborts it. */
      async function abortWhileHandling(path: string, endpoint: string) {
        const pending = pendingRequest(port, 'GET', path);
        await eventually(async () => {
          assert.equal(worker(await scrape(app), L('stream', endpoint)).concurrent, 1);
        });
        pending.abort();
        assert.ok((await pending.settled) instanceof Error);
        return eventually(async () => {
          const w = worker(await scrape(app), L('stream', endpoint));
          assert.equal(w.durationCount, 1);
          return w;
        });
      }

      it('a plain-route Observable that has not emitted yet -> "cancelled", gauge 0', async () => {
        const w = await abortWhileHandling('/stream/observable-slow', 'observable_slow');
        assert.deepEqual(w, expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }));
      });

      it('an async handler still working -> "cancelled" once, even when it finishes later', async () => {
        slowGate.reset();
        const w = await abortWhileHandling('/stream/promise-slow', 'promise_slow');
        assert.deepEqual(w, expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }));
        slowGate.open();
        await sleep(20);
        assert.deepEqual(
          worker(await scrape(app), L('stream', 'promise_slow')),
          expected({ requests: 1, durationCount: 1, errors: { cancelled: 1 } }),
        );
      });
    });

    describe('HEAD requests', () => {
      it('HEAD of a route sends no body, so no response bytes', async (t) => {
        const res = await http(port, 'HEAD', '/chat/head-only');
        assert.equal(res.status, 200);
        assert.equal(res.received, 0);
        assert.equal(res.headers['content-length'], String(Buffer.byteLength(REPLY_TEXT)));
        await assertWorker(
          t,
          worker(await scrape(app), L('chat', 'head_only')),
          expected({ requests: 1, durationCount: 1, responseBytes: 0 }),
          HEAD_BYTES_BUG,
        );
      });
    });

    describe('concurrency', () => {
      it('a concurrent mix of successes, throws and aborts: gauge exact while in flight, 0 after, counts add up', async (t) => {
        gate.reset();
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
        await eventually(async () => {
          const s = await scrape(app);
          const w = worker(s, L('mix', 'work'));
          assert.equal(w.concurrent, OK + THROW);
          assert.equal(w.requests, OK + THROW);
          assert.equal(w.durationCount, 0);
          const st = worker(s, L('mix', 'stream'));
          assert.equal(st.concurrent, ABORT);
          assert.equal(st.requests, ABORT);
        });
        for (const stream of streams) stream.abort();
        gate.open();
        const results = await Promise.all([...oks, ...throws]);
        assert.deepEqual(
          results.map((r) => r.status),
          [...Array(OK).fill(200), ...Array(THROW).fill(500)],
        );

        const [work, stream] = await eventually(async () => {
          const s = await scrape(app);
          const w = worker(s, L('mix', 'work'));
          const st = worker(s, L('mix', 'stream'));
          assert.equal(st.durationCount, ABORT);
          assert.equal(w.durationCount, OK + THROW);
          return [w, st];
        });
        assert.equal(stream.concurrent, 0);
        assert.equal(stream.requests, ABORT);
        assert.deepEqual(stream.errors, {
          client_error: 0,
          handler_error: 0,
          stream_error: 0,
          cancelled: ABORT,
        });
        await assertWorker(
          t,
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
      for (const route of ['guard-below', 'guard-above']) {
        it(`a guard that refuses (${route}) -> 403, not counted; allowed -> counted once`, async (t) => {
          const endpoint = route === 'guard-below' ? 'guard_below' : 'guard_above';
          const refused = await http(port, 'GET', `/guarded/${route}`);
          assert.equal(refused.status, 403);
          assert.deepEqual(worker(await scrape(app), L('guarded', endpoint)), expected({}));

          const allowed = await http(port, 'GET', `/guarded/${route}`, undefined, {
            'x-allow': 'yes',
          });
          assert.equal(allowed.status, 200);
          assert.deepEqual(JSON.parse(allowed.text), { passed: 'guard' });
          await assertWorker(
            t,
            worker(await scrape(app), L('guarded', endpoint)),
            expected({ requests: 1, durationCount: 1, responseBytes: allowed.received }),
          );
        });
      }

      it('a pipe that rejects the body -> 400, not counted; a transforming pipe still applies', async (t) => {
        const rejected = await postJson(port, '/guarded/piped', { ok: false });
        assert.equal(rejected.status, 400);
        assert.equal(JSON.parse(rejected.text).message, 'ok must be true');
        assert.deepEqual(worker(await scrape(app), L('guarded', 'piped')), expected({}));

        const body = JSON.stringify({ ok: true, note: 'ünïcode' });
        const accepted = await http(port, 'POST', '/guarded/piped', body, {
          'content-type': 'application/json',
        });
        assert.equal(accepted.status, 201);
        assert.deepEqual(JSON.parse(accepted.text), { ok: true, note: 'ünïcode', piped: true });
        await assertWorker(
          t,
          worker(await scrape(app), L('guarded', 'piped')),
          expected({
            requests: 1,
            durationCount: 1,
            requestBytes: Buffer.byteLength(body),
            responseBytes: accepted.received,
          }),
        );
      });

      for (const [route, endpoint, status, header] of [
        ['decorated', 'decorated', 202, 'kept'],
        ['decorated-above', 'decorated_above', 203, 'above'],
      ] as const) {
        it(`@HttpCode, @Header and an interceptor survive (${route})`, async (t) => {
          const body = JSON.stringify({ x: 1 });
          const res = await http(port, 'POST', `/guarded/${route}`, body, {
            'content-type': 'application/json',
          });
          assert.equal(res.status, status);
          assert.equal(res.headers['x-dynamo-test'], header);
          assert.deepEqual(JSON.parse(res.text), { wrapped: { body: { x: 1 } } });
          await assertWorker(
            t,
            worker(await scrape(app), L('guarded', endpoint)),
            expected({
              requests: 1,
              durationCount: 1,
              requestBytes: Buffer.byteLength(body),
              responseBytes: res.received,
            }),
          );
        });
      }
    });
  });
}
