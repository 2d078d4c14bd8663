import { callHandler } from '../instrumentation/call-handler';
import { classifyError } from '../instrumentation/error-classifier';
import type {
  HandlerCarrier,
  Method,
  MethodRecorder,
} from '../instrumentation/method-instrumentation.interface';
import { resultKind, watchResult } from '../instrumentation/result-watchers';
import type { TraceContextService } from '../instrumentation/trace-context.service';
import type { CallMetrics } from './call-labels';
import type { DynamoEndpointOptions } from './dynamo-endpoint-options.interface';
import { Call, safeSize } from './endpoint-call';

const NO_SIZES: DynamoEndpointOptions = {};

/**
 * Records one decorated method for one application. This class serves plain methods (and
 * handlers whose transport cannot be reached): a call ends when its result settles or its
 * stream ends. HttpEndpointRecorder and RpcEndpointRecorder extend it; which one a handler gets
 * is decided when it is bound.
 */
export class EndpointRecorder implements MethodRecorder {
  constructor(
    /** The endpoint's metrics, or its per-call labels when the decorator declares some. */
    protected readonly metrics: CallMetrics,
    private readonly options: DynamoEndpointOptions,
    /** Where an HTTP handler's response or an RPC handler's context is (unused by plain calls). */
    protected readonly carrier: HandlerCarrier,
    /** Set when exemplars are on. */
    protected readonly traces?: TraceContextService,
  ) {}

  invoke(self: unknown, original: Method, args: unknown[]): unknown {
    return this.settle(self, original, args);
  }

  /**
   * The call ends when the result settles (or its stream ends). `wireRequestBytes`: an RPC
   * event's size from its transport, which wins over the size functions (an event has no
   * response).
   */
  protected settle(
    self: unknown,
    original: Method,
    args: unknown[],
    wireRequestBytes?: number,
  ): unknown {
    const { requestSize, responseSize } = wireRequestBytes === undefined ? this.options : NO_SIZES;
    const call = new Call(
      this.metrics.metricsFor(args),
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
