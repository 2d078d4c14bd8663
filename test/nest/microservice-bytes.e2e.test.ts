import 'reflect-metadata';
import { describe, it, after } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import {
  Body,
  Controller,
  INestApplication,
  INestMicroservice,
  Module,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  BaseRpcContext,
  ClientProxy,
  ClientProxyFactory,
  Ctx,
  EventPattern,
  MessagePattern,
  Payload,
  RpcException,
  Transport,
} from '@nestjs/microservices';
import { connect, NatsConnection } from '@nats-io/transport-node';
import {
  concat,
  defer,
  from,
  interval,
  lastValueFrom,
  map,
  Observable,
  of,
  take,
  throwError,
  toArray,
} from 'rxjs';
import { DynamoEndpoint, DynamoMetricsModule } from '../../src';
import { requireBinary } from '../support/binaries';
import { http } from '../support/http-client';
import { scrape } from '../support/nest-app';
import { freePort, sleep } from '../support/net';
import { poll } from '../support/poll';
import { worker, WorkerSnapshot } from '../support/worker-metrics';

/**
 * RPC payload bytes are compared with what an independent observer sees on the wire:
 * - TCP: the client's own frames (the JSON after `<length>#`, per request id), and the client
 *   net.Socket's bytesWritten/bytesRead less those prefixes;
 * - NATS: a third connection subscribed to `>` (requests by subject, replies by inbox), and the
 *   server connection's own stats (payload bytes in/out).
 */

// ---------------------------------------------------------------------------------------------
// Application under test
// ---------------------------------------------------------------------------------------------

let releaseHeld: () => void = () => undefined;
let held: Promise<void> = Promise.resolve();
const holdCalls = () => {
  held = new Promise((r) => (releaseHeld = r));
};
const audited: unknown[] = [];
/** What `echoPayload` saw: its arguments count and its undecorated second parameter. */
const payloadArgs: Array<{ count: number; extra: unknown }> = [];

interface EchoRequest {
  tag: string;
  body: string;
}

@Controller()
class WireController {
  // No parameter decorators: Nest 12 passes only the payload.
  @MessagePattern('echo')
  @DynamoEndpoint()
  echo(data: EchoRequest): unknown {
    return { echo: data.body, tag: data.tag };
  }

  // Its own @Ctx(): the recorder uses it, the handler still gets it.
  @MessagePattern('echo.ctx')
  @DynamoEndpoint()
  async echoCtx(@Payload() data: EchoRequest, @Ctx() ctx: BaseRpcContext): Promise<unknown> {
    await sleep(1);
    return { echo: data.body, context: ctx.constructor.name };
  }

  // @Payload('body') only: the hidden context argument must not reach the method.
  @MessagePattern('echo.payload')
  @DynamoEndpoint()
  echoPayload(@Payload('body') body: string, extra?: unknown): string {
    // eslint-disable-next-line prefer-rest-params
    payloadArgs.push({ count: arguments.length, extra });
    return body.toUpperCase();
  }

  @MessagePattern('double')
  @DynamoEndpoint()
  double(n: number): number {
    return n * 2;
  }

  // Size functions are for transports without wire counts: here the wire wins.
  @MessagePattern('sized')
  @DynamoEndpoint({ requestSize: () => 1_000_000, responseSize: () => 1_000_000 })
  sized(data: EchoRequest): string {
    return data.body;
  }

  @MessagePattern('stream')
  @DynamoEndpoint()
  stream(n: number): Observable<{ i: number; s: string }> {
    return interval(2).pipe(
      take(n),
      map((i) => ({ i, s: 'é😀x'.repeat(i + 1) })),
    );
  }

  @MessagePattern('refuse')
  @DynamoEndpoint()
  refuse(data: EchoRequest): never {
    throw new RpcException({ code: 'E_REFUSED', detail: `nein ü ${data.tag}` });
  }

  @MessagePattern('stream.fail')
  @DynamoEndpoint()
  streamFail(): Observable<string> {
    return concat(
      of('first ✓'),
      throwError(() => new Error('stream broke')),
    );
  }

  @MessagePattern('held')
  @DynamoEndpoint()
  async held(data: EchoRequest): Promise<unknown> {
    await held;
    return { late: data.tag };
  }

  // Two values, then the rest once released.
  @MessagePattern('held.stream')
  @DynamoEndpoint()
  heldStream(): Observable<string> {
    return concat(of('one', 'twö'), defer(() => from(held)).pipe(map(() => 'three')));
  }

  @EventPattern('audit')
  @DynamoEndpoint()
  audit(data: unknown): void {
    audited.push(data);
  }
}

@Module({ imports: [DynamoMetricsModule.forRoot()], controllers: [WireController] })
class WireModule {}

const ENDPOINTS: Record<string, string> = {
  echo: 'echo',
  'echo.ctx': 'echo_ctx',
  'echo.payload': 'echo_payload',
  double: 'double',
  sized: 'sized',
  stream: 'stream',
  refuse: 'refuse',
  'stream.fail': 'stream_fail',
  held: 'held',
  'held.stream': 'held_stream',
  audit: 'audit',
};

// ---------------------------------------------------------------------------------------------
// Observers of the wire
// ---------------------------------------------------------------------------------------------

type Totals = Map<string, { req: number; res: number }>;

interface Truth {
  /** Payload bytes per pattern since the last reset. */
  readonly totals: Totals;
  reset(): void;
}

function add(totals: Totals, pattern: string, req: number, res: number): void {
  const t = totals.get(pattern) ?? { req: 0, res: 0 };
  t.req += req;
  t.res += res;
  totals.set(pattern, t);
}

interface JsonSocketLike {
  netSocket: Socket;
  formatMessageData(message: unknown): string;
  emitMessage(text: string): void;
}

/** Taps a Nest TCP client's frames: what it writes and reads, by request id. */
function tapTcpClient(client: ClientProxy, truth: TcpTruth = new TcpTruth()): TcpTruth {
  const socket = (client as unknown as { socket: JsonSocketLike }).socket;
  const format = socket.formatMessageData.bind(socket);
  socket.formatMessageData = (message: unknown) => {
    const frame = format(message);
    const hash = frame.indexOf('#') + 1;
    const { id, pattern } = message as { id?: string; pattern: string };
    truth.prefixOut += hash;
    add(truth.totals, pattern, Buffer.byteLength(frame.slice(hash)), 0);
    if (id !== undefined) truth.ids.set(id, pattern);
    return frame;
  };
  const emit = socket.emitMessage.bind(socket);
  socket.emitMessage = (text: string) => {
    truth.prefixIn += String(text.length).length + 1;
    const pattern = truth.ids.get((JSON.parse(text) as { id: string }).id);
    assert.ok(pattern, `a reply for an unknown request: ${text}`);
    add(truth.totals, pattern, 0, Buffer.byteLength(text));
    return emit(text);
  };
  truth.sockets.push(socket.netSocket);
  return truth;
}

class TcpTruth implements Truth {
  readonly totals: Totals = new Map();
  readonly ids = new Map<string, string>();
  readonly sockets: Socket[] = [];
  prefixOut = 0;
  prefixIn = 0;
  reset(): void {
    this.totals.clear();
  }
  /** Payload bytes the clients' sockets wrote and read, framing removed. */
  socketPayload(): { in: number; out: number } {
    const written = this.sockets.reduce((a, s) => a + s.bytesWritten, 0);
    const read = this.sockets.reduce((a, s) => a + s.bytesRead, 0);
    return { in: written - this.prefixOut, out: read - this.prefixIn };
  }
}

/** A third NATS connection that sees every message: requests by subject, replies by inbox. */
async function natsMonitor(
  url: string,
): Promise<Truth & { nc: NatsConnection; flush(): Promise<void> }> {
  const nc = await connect({ servers: url });
  const totals: Totals = new Map();
  const inboxes = new Map<string, string>();
  nc.subscribe('>', {
    callback: (err, m) => {
      if (err) return;
      const pattern = inboxes.get(m.subject);
      if (pattern !== undefined) return add(totals, pattern, 0, m.data.length);
      add(totals, m.subject, m.data.length, 0);
      if (m.reply) inboxes.set(m.reply, m.subject);
    },
  });
  await nc.flush();
  return { nc, totals, reset: () => totals.clear(), flush: () => nc.flush() };
}

interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

async function startNats(t: TestContext): Promise<NatsServer | undefined> {
  const binary = requireBinary(t, 'nats-server');
  if (!binary) return undefined;
  const port = await freePort();
  const proc: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nats-server did not start:\n${output}`)),
      10_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Fixtures: one app per transport, the same tests
// ---------------------------------------------------------------------------------------------

interface Fixture {
  app: INestMicroservice;
  client: ClientProxy;
  truth: Truth;
  /** Another client (for disconnects), observed by the same truth. */
  newClient(): Promise<ClientProxy>;
  /** Independent totals of payload bytes in/out, from the sockets or the connection. */
  payloadTotals(): Promise<{ in: number; out: number }>;
  close(): Promise<void>;
}

async function tcpFixture(): Promise<Fixture> {
  const port = await freePort();
  const app = await NestFactory.createMicroservice(WireModule, {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
    logger: false,
  });
  await app.listen();
  const clients: ClientProxy[] = [];
  const newClient = async () => {
    const c = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
    await c.connect();
    clients.push(c);
    return c;
  };
  const client = await newClient();
  const truth = tapTcpClient(client);
  return {
    app,
    client,
    truth,
    newClient: async () => {
      const c = await newClient();
      tapTcpClient(c, truth);
      return c;
    },
    payloadTotals: async () => truth.socketPayload(),
    close: async () => {
      releaseHeld();
      await Promise.all(clients.map((c) => c.close()));
      await app.close();
    },
  };
}

async function natsFixture(nats: NatsServer): Promise<Fixture> {
  const monitor = await natsMonitor(nats.url);
  const app = await NestFactory.createMicroservice(WireModule, {
    transport: Transport.NATS,
    options: { servers: nats.url },
    logger: false,
  });
  await app.listen();
  const clients: ClientProxy[] = [];
  const newClient = async () => {
    const c = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: nats.url },
    });
    await c.connect();
    clients.push(c);
    return c;
  };
  const client = await newClient();
  const stats = () => app.unwrap<NatsConnection>().stats();
  return {
    app,
    client,
    truth: monitor,
    newClient,
    payloadTotals: async () => {
      await monitor.flush();
      const s = stats();
      return { in: s.inBytes, out: s.outBytes };
    },
    close: async () => {
      releaseHeld();
      await Promise.all(clients.map((c) => c.close()));
      await app.close();
      await monitor.nc.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

const L = (endpoint: string) => ({ namespace: 'dynamo', component: 'wire', endpoint });
type Snapshots = Map<string, WorkerSnapshot>;

async function snapshots(app: { get: INestApplication['get'] }): Promise<Snapshots> {
  const s = await scrape(app);
  return new Map(
    Object.entries(ENDPOINTS).map(([pattern, endpoint]) => [pattern, worker(s, L(endpoint))]),
  );
}

type Expect = Record<string, { calls: number; errors?: Partial<WorkerSnapshot['errors']> }>;

/**
 * Waits until, for every endpoint, the calls made since `before` have all ended exactly once
 * with the expected errors, and their byte counters moved by exactly what the wire carried.
 */
async function assertWire(
  app: { get: INestApplication['get'] },
  before: Snapshots,
  truth: Truth,
  expect: Expect,
): Promise<void> {
  await poll('the worker metrics to match the wire', async () => {
    // The observer is another NATS connection: its copy may arrive after the reply does.
    for (const pattern of Object.keys(expect)) {
      assert.ok(
        (truth.totals.get(pattern)?.req ?? 0) > 0,
        `the observer saw no request for ${pattern}`,
      );
    }
    const after = await snapshots(app);
    for (const pattern of Object.keys(ENDPOINTS)) {
      const a = after.get(pattern)!;
      const b = before.get(pattern)!;
      const wire = truth.totals.get(pattern) ?? { req: 0, res: 0 };
      const e = expect[pattern] ?? { calls: 0 };
      const errors = Object.fromEntries(
        Object.entries(a.errors).map(([k, v]) => [
          k,
          v - b.errors[k as keyof WorkerSnapshot['errors']],
        ]),
      );
      assert.deepEqual(
        {
          requests: a.requests - b.requests,
          ended: a.durationCount - b.durationCount,
          inFlight: a.concurrent,
          requestBytes: a.requestBytes - b.requestBytes,
          responseBytes: a.responseBytes - b.responseBytes,
          errors,
        },
        {
          requests: e.calls,
          ended: e.calls,
          inFlight: 0,
          requestBytes: wire.req,
          responseBytes: wire.res,
          errors: { client_error: 0, handler_error: 0, stream_error: 0, cancelled: 0, ...e.errors },
        },
        pattern,
      );
    }
    return true;
  });
}

const body = (i: number) => (i % 3 === 0 ? 'ü€😀'.repeat(i + 1) : 'x'.repeat(i * 13 + 1));

// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Hybrid app: HTTP + TCP + NATS microservices on one application
// ---------------------------------------------------------------------------------------------

@Controller('hy')
class HybridWireController {
  @Post('echo')
  @DynamoEndpoint()
  httpEcho(@Body() data: unknown): unknown {
    return { echoed: data };
  }

  @MessagePattern('hy.echo')
  @DynamoEndpoint()
  rpcEcho(data: unknown): unknown {
    return { echoed: data };
  }
}

@Module({ imports: [DynamoMetricsModule.forRoot()], controllers: [HybridWireController] })
class HybridWireModule {}

describe('RPC payload bytes in a hybrid app (connectMicroservice + startAllMicroservices + HTTP)', () => {
  let app: INestApplication | undefined;
  const clients: ClientProxy[] = [];
  let monitor: Awaited<ReturnType<typeof natsMonitor>> | undefined;
  let server: NatsServer | undefined;

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app?.close();
    await monitor?.nc.close();
    await server?.stop();
  });

  it('TCP and NATS calls of one handler, and an HTTP route, each with their wire bytes', async (t) => {
    server = await startNats(t);
    if (!server) return;
    const tcpPort = await freePort();
    app = await NestFactory.create(HybridWireModule, { logger: false });
    app.connectMicroservice({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: tcpPort },
    });
    app.connectMicroservice({ transport: Transport.NATS, options: { servers: server.url } });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const httpPort = (app.getHttpServer().address() as { port: number }).port;
    monitor = await natsMonitor(server.url);

    const tcp = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: tcpPort },
    });
    const nc = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { servers: server.url },
    });
    clients.push(tcp, nc);
    await Promise.all([tcp.connect(), nc.connect()]);
    const tcpTruth = tapTcpClient(tcp);

    const payloads = [{ a: 1 }, { s: 'ü€😀'.repeat(20) }, 'just a string', 7];
    for (const p of payloads) {
      assert.deepEqual(await lastValueFrom(tcp.send('hy.echo', p)), { echoed: p });
      assert.deepEqual(await lastValueFrom(nc.send('hy.echo', p)), { echoed: p });
    }
    const httpBody = JSON.stringify({ s: 'grüße'.repeat(10) });
    const res = await http(httpPort, 'POST', '/hy/echo', httpBody, {
      'content-type': 'application/json',
    });
    assert.equal(res.status, 201);
    await monitor.flush();

    const wire = {
      req: tcpTruth.totals.get('hy.echo')!.req + monitor.totals.get('hy.echo')!.req,
      res: tcpTruth.totals.get('hy.echo')!.res + monitor.totals.get('hy.echo')!.res,
    };
    await poll('the hybrid endpoints to match the wire', async () => {
      const s = await scrape(app!);
      const rpc = worker(s, { component: 'hybrid_wire', endpoint: 'rpc_echo' });
      assert.deepEqual(
        {
          requests: rpc.requests,
          ended: rpc.durationCount,
          inFlight: rpc.concurrent,
          req: rpc.requestBytes,
          res: rpc.responseBytes,
        },
        { requests: 8, ended: 8, inFlight: 0, req: wire.req, res: wire.res },
      );
      const h = worker(s, { component: 'hybrid_wire', endpoint: 'http_echo' });
      assert.deepEqual(
        { requests: h.requests, inFlight: h.concurrent, req: h.requestBytes, res: h.responseBytes },
        { requests: 1, inFlight: 0, req: Buffer.byteLength(httpBody), res: res.body.length },
      );
      return true;
    });
  });
});
