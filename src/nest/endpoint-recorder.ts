import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished, Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';
import { Observable } from 'rxjs';
import { WorkerErrorType, WorkerMetrics } from '../core';
import { DynamoEndpointOptions } from './dynamo-endpoint.decorator';
import { classifyError } from './error-classifier';
import { HandlerKind, HttpCarrier, Method, MethodRecorder } from './method-instrumentation';
import { RpcLink, rpcLinkOf } from './rpc-transport-hooks';
import {
  callHandler,
  resultKind,
  StreamWatcher,
  watchAsyncIterable,
  watchObservable,
} from './result-kinds';

/**
 * One started call. `finish()` runs exactly once whatever happens (success, throw, reject,
 * stream error, client disconnect, early unsubscribe), so the concurrency gauge always returns.
 */
class Call {
  private done = false;
  /** Set when a failure is known before the end (e.g. the handler threw, then Nest responded). */
  error?: WorkerErrorType;
  responseBytes = 0;
  readonly started: number;

  constructor(
    private readonly metrics: WorkerMetrics,
    public requestBytes: number,
    private readonly itemSize?: (item: unknown) => number,
  ) {
    this.started = metrics.start();
  }

  finish(error?: WorkerErrorType): void {
    if (this.done) return;
    this.done = true;
    this.metrics.end(this.started, this.requestBytes, this.responseBytes, this.error ?? error);
  }

  /** For streams whose end is found elsewhere (the HTTP response, the RPC reply): failures only. */
  failureWatcher(): StreamWatcher {
    return { error: () => (this.error ??= 'stream_error'), complete: noop, cancel: noop };
  }

  /** For RPC and plain calls whose end is the end of their stream. */
  watcher(): StreamWatcher {
    const itemSize = this.itemSize;
    return {
      next: itemSize ? (item) => (this.responseBytes += safeSize(itemSize, item)) : undefined,
      error: () => this.finish('stream_error'),
      complete: () => this.finish(),
      cancel: () => this.finish('cancelled'),
    };
  }
}

/**
 * Records one decorated method for one application: the resolved worker metrics plus the
 * logic that finds the end of each call for the handler's kind.
 */
export class EndpointRecorder implements MethodRecorder {
  constructor(
    readonly metrics: WorkerMetrics,
    readonly kind: HandlerKind,
    private readonly options: DynamoEndpointOptions,
    private readonly carrier: HttpCarrier,
  ) {}

  invoke(self: unknown, original: Method, args: unknown[]): unknown {
    if (this.kind === 'http') {
      const response = this.responseOf(args);
      if (response) return this.invokeHttp(self, original, args, response);
    } else if (this.kind === 'rpc' && this.carrier.index >= 0) {
      const link = rpcLinkOf(args[this.carrier.index]);
      const strip = this.carrier.strip;
      if (strip !== undefined && args.length > strip) args.length = strip;
      if (link?.expectsReply) {
        if (!link.isClaimed) return this.invokeLinked(self, original, args, link);
      } else if (link) {
        return this.invokeSettled(self, original, args, link.requestBytes ?? 0);
      }
    }
    return this.invokeSettled(self, original, args);
  }

  private responseOf(args: unknown[]): ServerResponse | undefined {
    const { index, type } = this.carrier;
    if (index < 0) return undefined;
    const carrier = args[index] as { raw?: unknown; res?: unknown } | undefined;
    if (!carrier) return undefined;
    // Express passes its response (a ServerResponse); Fastify a reply whose `raw` is one.
    const response = type === 'response' ? (carrier.raw ?? carrier) : carrier.res;
    return response && typeof (response as ServerResponse).once === 'function'
      ? (response as ServerResponse)
      : undefined;
  }

  /** HTTP: the call ends when the response is complete or the connection closes. */
  private invokeHttp(
    self: unknown,
    original: Method,
    args: unknown[],
    res: ServerResponse,
  ): unknown {
    const call = new Call(this.metrics, requestBytes(res.req, args[this.carrier.index]));
    if (res.destroyed) {
      // The client left while guards and pipes ran; nothing will be sent.
      call.finish('cancelled');
      return original.apply(self, args);
    }
    let counting = false;
    const countWrites = () => {
      if (counting) return;
      counting = true;
      countResponseWrites(res, call);
    };
    if (this.carrier.manual) countWrites();
    // 'close' comes once per response, after 'finish' or when the connection drops.
    res.on('close', () => {
      const complete = res.writableFinished;
      // A HEAD response carries the Content-Length of a body it does not send.
      if (!counting && complete && res.req?.method !== 'HEAD') {
        call.responseBytes = contentLength(res, args[this.carrier.index]);
      }
      call.finish(complete ? undefined : 'cancelled');
    });
    const onResult = (value: unknown): unknown => {
      const kind = resultKind(value);
      if (kind === 'value') return value;
      countWrites();
      // The end of the call is the end of the response; from the stream only failures matter.
      return watchResult(value, kind, call.failureWatcher());
    };
    return callHandler(self, original, args, onResult, (err) => (call.error = classifyError(err)));
  }

  /**
   * RPC request whose transport reports its replies: the call ends when the last reply packet
   * is sent (for an Observable, after it completes or fails), or when the client has gone; the
   * bytes are the transport's. The handler's own outcome only decides the error type.
   */
  private invokeLinked(self: unknown, original: Method, args: unknown[], link: RpcLink): unknown {
    const call = new Call(this.metrics, 0);
    link.claim((ended, reason) => {
      call.requestBytes = ended.requestBytes ?? 0;
      call.responseBytes = ended.responseBytes;
      call.finish(reason);
    });
    const onResult = (value: unknown): unknown =>
      resultKind(value) === 'observable'
        ? watchObservable(value as Observable<unknown>, call.failureWatcher())
        : value;
    return callHandler(self, original, args, onResult, (err) => (call.error = classifyError(err)));
  }

  /**
   * RPC events and requests without transport hooks, and plain methods: the call ends when the
   * result settles (or its stream ends). `wireRequestBytes`: an event's size from its
   * transport, which wins over the size functions (an event has no response).
   */
  private invokeSettled(
    self: unknown,
    original: Method,
    args: unknown[],
    wireRequestBytes?: number,
  ): unknown {
    const { requestSize, responseSize } = wireRequestBytes === undefined ? this.options : NO_SIZES;
    const call = new Call(
      this.metrics,
      wireRequestBytes ?? (requestSize ? safeSize(requestSize, args) : 0),
      responseSize,
    );
    const onResult = (value: unknown): unknown => {
      const kind = resultKind(value);
      if (kind === 'value') {
        if (responseSize) call.responseBytes += safeSize(responseSize, value);
        call.finish();
        return value;
      }
      return watchResult(value, kind, call.watcher());
    };
    return callHandler(self, original, args, onResult, (err) => call.finish(classifyError(err)));
  }
}

const noop = (): void => undefined;
const NO_SIZES: DynamoEndpointOptions = {};

function watchResult(value: unknown, kind: string, watch: StreamWatcher): unknown {
  switch (kind) {
    case 'observable':
      return watchObservable(value as Observable<unknown>, watch);
    case 'async-iterable':
      return watchAsyncIterable(value as AsyncIterable<unknown>, watch);
    case 'streamable-file':
      watchStream((value as StreamableFile).getStream(), watch);
      return value;
    default:
      watchStream(value as Readable, watch);
      return value;
  }
}

function watchStream(stream: Readable, watch: StreamWatcher): void {
  if (watch.next) stream.on('data', (chunk: unknown) => watch.next!(chunk));
  finished(stream, (err) => {
    if (!err) watch.complete();
    else if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') watch.cancel();
    else watch.error(err);
  });
}

function safeSize(fn: (value: never) => number, value: unknown): number {
  let n: unknown;
  try {
    n = fn(value as never);
  } catch {
    // A user's size function must never break the call it measures.
    return 0;
  }
  return typeof n === 'number' && n > 0 && Number.isFinite(n) ? Math.floor(n) : 0;
}

function requestBytes(req: IncomingMessage | undefined, carrier?: unknown): number {
  if (!req) return 0;
  const header = req.headers['content-length'];
  if (header !== undefined) return Number(header) || 0;
  // Chunked uploads carry no Content-Length; Nest's `rawBody: true` keeps the bytes received.
  // Express keeps it on the request itself; Fastify on its own request (the reply's `request`).
  const raw =
    (req as { rawBody?: Buffer }).rawBody ??
    (carrier as { request?: { rawBody?: Buffer } } | undefined)?.request?.rawBody;
  return raw ? raw.length : 0;
}

/**
 * The Content-Length sent. Fastify hands its headers straight to `writeHead()`, where the raw
 * response's `getHeader()` cannot see them, so its reply is asked as well.
 */
function contentLength(res: ServerResponse, carrier: unknown): number {
  const header =
    res.getHeader('content-length') ??
    (carrier as { getHeader?(name: string): unknown } | undefined)?.getHeader?.('content-length');
  return typeof header === 'number' ? header : Number(header) || 0;
}

/** Counts the payload bytes of every write on this one response (streams, SSE, manual writes). */
function countResponseWrites(res: ServerResponse, call: Call): void {
  const size = (chunk: unknown, encoding: unknown): number =>
    typeof chunk === 'string'
      ? Buffer.byteLength(
          chunk,
          typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
        )
      : chunk instanceof Uint8Array
        ? chunk.byteLength
        : 0;
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    call.responseBytes += size(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (chunk !== undefined && typeof chunk !== 'function')
      call.responseBytes += size(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
}
