import type { ServerResponse } from 'node:http';
import { Observable } from 'rxjs';
import { WorkerMetrics } from '../core';
import { callHandler } from '../instrumentation/call-handler';
import { classifyError } from '../instrumentation/error-classifier';
import { nodeResponseOf } from '../instrumentation/node-http-access';
import type {
  HandlerCarrier,
  HandlerKind,
  Method,
  MethodRecorder,
} from '../instrumentation/method-instrumentation.interface';
import { resultKind, watchObservable, watchResult } from '../instrumentation/result-watchers';
import { RpcLink, rpcLinkOf } from '../instrumentation/rpc/rpc-link';
import { TraceContextService } from '../instrumentation/trace-context.service';
import type { DynamoEndpointOptions } from './dynamo-endpoint-options.interface';
import { CallLabels } from './call-labels';
import { Call, safeSize } from './endpoint-call';
import { HttpCall } from './http-call';

const NO_SIZES: DynamoEndpointOptions = {};

/**
 * Records one decorated method for one application: the resolved worker metrics plus the
 * logic that finds the end of each call for the handler's kind.
 */
export class EndpointRecorder implements MethodRecorder {
  constructor(
    /** The endpoint's metrics, or its per-call labels when the decorator declares some. */
    private readonly metrics: WorkerMetrics | CallLabels,
    readonly kind: HandlerKind,
    private readonly options: DynamoEndpointOptions,
    private readonly carrier: HandlerCarrier,
    /** Set when exemplars are on. */
    private readonly traces?: TraceContextService,
  ) {}

  private metricsOf(args: unknown[]): WorkerMetrics {
    const m = this.metrics;
    return m instanceof CallLabels ? m.metricsFor(args) : m;
  }

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
    const carrier = args[index] as { res?: unknown } | undefined;
    if (!carrier) return undefined;
    // Express passes its response (a ServerResponse); Fastify a reply whose `raw` is one.
    return nodeResponseOf(type === 'response' ? carrier : carrier.res);
  }

  /** HTTP: the call ends when the response is complete or the connection closes. */
  private invokeHttp(
    self: unknown,
    original: Method,
    args: unknown[],
    res: ServerResponse,
  ): unknown {
    const exemplar = this.traces?.current(res.req);
    const call = new HttpCall(this.metricsOf(args), res, args[this.carrier.index], exemplar);
    if (res.destroyed) {
      // The client left while guards and pipes ran; nothing will be sent.
      call.finish('cancelled');
      return original.apply(self, args);
    }
    if (this.carrier.manual) call.countWrites();
    call.listen();
    if (this.traces === undefined) return callHandler(self, original, args, call);
    // Decorated providers the handler calls inherit its trace.
    return this.traces.run(exemplar, () => callHandler(self, original, args, call));
  }

  /**
   * RPC request whose transport reports its replies: the call ends when the last reply packet
   * is sent (for an Observable, after it completes or fails), or when the client has gone; the
   * bytes are the transport's. The handler's own outcome only decides the error type.
   */
  private invokeLinked(self: unknown, original: Method, args: unknown[], link: RpcLink): unknown {
    const call = new Call(this.metricsOf(args), 0, undefined, this.traces?.current());
    link.claim((ended, reason) => {
      call.requestBytes = ended.requestBytes ?? 0;
      call.responseBytes = ended.responseBytes;
      call.finish(reason);
    });
    const onResult = (value: unknown): unknown =>
      resultKind(value) === 'observable'
        ? watchObservable(value as Observable<unknown>, call.failureWatcher(true))
        : value;
    return callHandler(self, original, args, {
      onResult,
      onError: (err) => (call.error = classifyError(err)),
    });
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
      this.metricsOf(args),
      wireRequestBytes ?? (requestSize ? safeSize(requestSize, args) : 0),
      responseSize,
      this.traces?.current(),
    );
    const onResult = (value: unknown): unknown => {
      const kind = resultKind(value);
      if (kind === 'value') {
        if (responseSize) call.responseBytes += safeSize(responseSize, value);
        call.finish();
        return value;
      }
      return watchResult(
        value,
        kind,
        call.watcher(kind === 'stream' || kind === 'streamable-file'),
      );
    };
    return callHandler(self, original, args, {
      onResult,
      onError: (err) => call.finish(classifyError(err)),
    });
  }
}
