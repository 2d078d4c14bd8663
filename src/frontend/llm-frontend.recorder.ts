import { isObservable, Observable } from 'rxjs';
import { CallOutcome, callHandler } from '../instrumentation/call-handler';
import { isRefusal } from '../instrumentation/error-classifier';
import type {
  HandlerCarrier,
  Method,
  MethodRecorder,
} from '../instrumentation/method-instrumentation.interface';
import {
  nodeResponseOf,
  onResponseClose,
  responseFinished,
} from '../instrumentation/node-http-access';
import { watchAsyncIterable } from '../instrumentation/result-watchers';
import { TraceContextService } from '../instrumentation/trace-context.service';
import { FrontendMetrics } from './frontend-metrics.service';
import { FrontendRequest } from './frontend-request';
import type { LlmFrontendEndpointOptions, LlmRequestBody } from './llm-frontend-options.interface';
import { markStarted } from './frontend-refusals';
import { encodeSse, observableValues } from './sse-encoding';
import { Chunk, defaultTokenCount } from './token-count';
import { TokenDeadlines, withTokenDeadlines } from './token-deadlines';

/** The OpenAI request body among the arguments: the first object with a request's own fields. */
const findBody = (args: unknown[]): LlmRequestBody | undefined =>
  args.find(
    (a): a is LlmRequestBody =>
      a !== null &&
      typeof a === 'object' &&
      REQUEST_FIELDS.some((field) => Object.hasOwn(a, field)),
  );
const REQUEST_FIELDS = ['model', 'messages', 'prompt', 'input'];

interface HeaderCarrier {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

/** Records the frontend metrics of one decorated handler for one application. */
export class LlmFrontendRecorder implements MethodRecorder {
  private readonly tokenCount: (chunk: unknown) => number;

  constructor(
    private readonly frontend: FrontendMetrics,
    private readonly endpoint: string,
    private readonly options: LlmFrontendEndpointOptions,
    private readonly carrier: HandlerCarrier,
    /** Set when exemplars are on. */
    private readonly traces?: TraceContextService,
    /** Stream deadlines (`frontend.firstTokenTimeoutMs`, `interTokenTimeoutMs`); none by default. */
    private readonly deadlines: TokenDeadlines = {},
  ) {
    this.tokenCount = options.tokenCount ?? defaultTokenCount;
  }

  invoke(self: unknown, original: Method, args: unknown[]): unknown {
    const body = (this.options.request ?? findBody)(args);
    if (!body || typeof body !== 'object') return original.apply(self, args);
    const stream = body.stream === true;
    const response = this.carrierOf(args);
    const raw = nodeResponseOf(response);
    const trace = this.traces?.current(raw?.req);
    const request = this.frontend.startRequest({
      // Any value: the model admission records a missing or non-string one as __overflow__.
      model: body.model as string,
      endpoint: this.endpoint,
      stream,
      trace,
    });
    // A client that leaves before the response is complete makes the request an error.
    if (raw) {
      markStarted(raw);
      onResponseClose(raw, () =>
        responseFinished(raw) ? request.end('success') : request.end('error', 'cancelled'),
      );
    }
    const outcome: CallOutcome = {
      onResult: (value) => this.onResult(value, request, response, raw !== undefined),
      onError: (err) =>
        isRefusal(err)
          ? request.discard(this.frontend.errorType(err))
          : request.end('error', this.frontend.errorType(err)),
    };
    if (this.traces === undefined) return callHandler(self, original, args, outcome);
    // Decorated providers the handler calls (the backend) inherit its trace.
    return this.traces.run(trace, () => callHandler(self, original, args, outcome));
  }

  private onResult(
    value: unknown,
    request: FrontendRequest,
    response: HeaderCarrier | undefined,
    endsWithResponse: boolean,
  ): unknown {
    const source = isObservable(value)
      ? observableValues(value as Observable<unknown>)
      : value !== null && typeof value === 'object' && Symbol.asyncIterator in value
        ? (value as AsyncIterable<unknown>)
        : undefined;
    if (!source) {
      request.usage((value as Chunk | null)?.usage);
      // Over HTTP the request ends with the response ('close'); elsewhere it ends here.
      if (!endsWithResponse) request.end('success');
      return value;
    }
    if (response) {
      setHeader(response, 'Content-Type', 'text/event-stream; charset=utf-8');
      setHeader(response, 'Cache-Control', 'no-cache');
    }
    const { firstTokenMs, interTokenMs } = this.deadlines;
    const iterable =
      firstTokenMs === undefined && interTokenMs === undefined
        ? source
        : withTokenDeadlines(source, this.tokenCount, this.deadlines, request.startedAt);
    let sent = false;
    const watched = watchAsyncIterable(iterable, {
      next: (chunk) => {
        sent = true;
        request.tokens(this.tokenCount(chunk));
        request.usage((chunk as Chunk | null)?.usage);
      },
      complete: () => request.end('success'),
      error: (err) => request.end('error', this.frontend.errorType(err, sent)),
      // The consumer stopped early: the client went away.
      cancel: () => request.end('error', 'cancelled'),
    });
    return encodeSse(watched);
  }

  private carrierOf(args: unknown[]): HeaderCarrier | undefined {
    const { index, type } = this.carrier;
    if (index < 0 || type !== 'response') return undefined;
    return (args[index] as HeaderCarrier | undefined) ?? undefined;
  }
}

function setHeader(response: HeaderCarrier, name: string, value: string): void {
  if (typeof response.header === 'function') response.header(name, value);
  else response.setHeader?.(name, value);
}
