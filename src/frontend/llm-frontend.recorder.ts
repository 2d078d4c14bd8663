import type { ServerResponse } from 'node:http';
import { isObservable, Observable } from 'rxjs';
import { callHandler } from '../instrumentation/call-handler';
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
import { FrontendMetrics } from './frontend-metrics.service';
import { FrontendRequest } from './frontend-request';
import type { LlmFrontendEndpointOptions, LlmRequestBody } from './llm-frontend-options.interface';
import { encodeSse, observableValues } from './sse-encoding';
import { Chunk, defaultTokenCount } from './token-count';

const findBody = (args: unknown[]): LlmRequestBody | undefined =>
  args.find(
    (a): a is LlmRequestBody =>
      a !== null && typeof a === 'object' && typeof (a as LlmRequestBody).model === 'string',
  );

interface HeaderCarrier {
  raw?: ServerResponse;
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
  ) {
    this.tokenCount = options.tokenCount ?? defaultTokenCount;
  }

  invoke(self: unknown, original: Method, args: unknown[]): unknown {
    const body = (this.options.request ?? findBody)(args);
    if (!body || typeof body.model !== 'string') return original.apply(self, args);
    const stream = body.stream === true;
    const request = this.frontend.startRequest({
      model: body.model,
      endpoint: this.endpoint,
      stream,
    });
    const response = this.carrierOf(args);
    const raw = nodeResponseOf(response);
    // A client that leaves before the response is complete makes the request an error.
    if (raw) onResponseClose(raw, () => request.end(responseFinished(raw) ? 'success' : 'error'));
    const onResult = (value: unknown) => this.onResult(value, request, response, raw !== undefined);
    return callHandler(self, original, args, onResult, (err) =>
      isRefusal(err) ? request.discard() : request.end('error'),
    );
  }

  private onResult(
    value: unknown,
    request: FrontendRequest,
    response: HeaderCarrier | undefined,
    endsWithResponse: boolean,
  ): unknown {
    const iterable = isObservable(value)
      ? observableValues(value as Observable<unknown>)
      : value !== null && typeof value === 'object' && Symbol.asyncIterator in value
        ? (value as AsyncIterable<unknown>)
        : undefined;
    if (!iterable) {
      request.usage((value as Chunk | null)?.usage);
      // Over HTTP the request ends with the response ('close'); elsewhere it ends here.
      if (!endsWithResponse) request.end('success');
      return value;
    }
    if (response) {
      setHeader(response, 'Content-Type', 'text/event-stream; charset=utf-8');
      setHeader(response, 'Cache-Control', 'no-cache');
    }
    const watched = watchAsyncIterable(iterable, {
      next: (chunk) => {
        request.tokens(this.tokenCount(chunk));
        request.usage((chunk as Chunk | null)?.usage);
      },
      complete: () => request.end('success'),
      error: () => request.end('error'),
      // The consumer stopped early: the client went away.
      cancel: () => request.end('error'),
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
