import type { ServerResponse } from 'node:http';
import { HttpException } from '@nestjs/common';
import { isObservable, Observable } from 'rxjs';
import { HttpCarrier, Method, MethodRecorder } from '../nest/method-instrumentation';
import { callHandler } from '../nest/result-kinds';
import { FrontendMetrics } from './frontend-metrics.service';
import { FrontendRequest, TokenUsage } from './frontend-request';
import { LlmFrontendEndpointOptions, LlmRequestBody } from './llm-frontend.decorator';
import { encodeSse, observableValues } from './sse-encoding';

interface Chunk {
  choices?: Array<{ delta?: { content?: unknown }; text?: unknown }>;
  usage?: TokenUsage;
}

/** Default token count of a streamed chunk: one per chunk with content. */
export function defaultTokenCount(chunk: unknown): number {
  const choices = (chunk as Chunk | null)?.choices;
  if (!Array.isArray(choices)) return 0;
  return choices.some((c) => {
    const content = c?.delta?.content ?? c?.text;
    return typeof content === 'string' && content.length > 0;
  })
    ? 1
    : 0;
}

const findBody = (args: unknown[]): LlmRequestBody | undefined =>
  args.find(
    (a): a is LlmRequestBody =>
      a !== null && typeof a === 'object' && typeof (a as LlmRequestBody).model === 'string',
  );

const isRefusal = (err: unknown): boolean => err instanceof HttpException && err.getStatus() < 500;

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
    private readonly carrier: HttpCarrier,
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
    const raw = response?.raw ?? (response as ServerResponse | undefined);
    // A client that leaves before the response is complete makes the request an error.
    if (raw && typeof raw.once === 'function') {
      raw.once('close', () => request.end(raw.writableFinished ? 'success' : 'error'));
    }
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
    return encodeSse(this.watch(iterable, request));
  }

  private async *watch(
    chunks: AsyncIterable<unknown>,
    request: FrontendRequest,
  ): AsyncGenerator<unknown> {
    let ended = false;
    try {
      for await (const chunk of chunks) {
        request.tokens(this.tokenCount(chunk));
        request.usage((chunk as Chunk | null)?.usage);
        yield chunk;
      }
      ended = true;
      request.end('success');
    } catch (err) {
      ended = true;
      request.end('error');
      throw err;
    } finally {
      // The consumer stopped early: the client went away.
      if (!ended) request.end('error');
    }
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
