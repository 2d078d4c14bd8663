import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, Observable, throwError } from 'rxjs';
import { endpointFromMethod } from '../instrumentation/handler-naming';
import { nodeResponseOf } from '../instrumentation/node-http-access';
import { FrontendMetrics } from './frontend-metrics.service';
import { LlmFrontendMetadataAccessor } from './llm-frontend-metadata.accessor';

/** Responses whose request reached the decorated handler (which records it itself). */
const STARTED = new WeakSet<object>();

export function markStarted(response: object): void {
  STARTED.add(response);
}

/**
 * Counts requests refused before the handler runs, by a pipe (validation) or anything else
 * between the interceptors and the handler, which the handler's own wrapper never sees: under
 * the `component` profile they are `requests_total{status="error",error_type=...}`. Guards run
 * before interceptors, so their refusals are not counted. Under `classic` it does nothing.
 */
@Injectable()
export class LlmFrontendRefusalInterceptor implements NestInterceptor {
  private readonly metadata: LlmFrontendMetadataAccessor;

  constructor(
    private readonly frontend: FrontendMetrics,
    reflector: Reflector,
  ) {
    this.metadata = new LlmFrontendMetadataAccessor(reflector);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.frontend.countsRefusals || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const raw = nodeResponseOf(http.getResponse());
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (raw && !STARTED.has(raw)) this.refused(context, http.getRequest(), err);
        return throwError(() => err);
      }),
    );
  }

  private refused(context: ExecutionContext, request: { body?: unknown }, err: unknown): void {
    const handler = context.getHandler();
    const options = this.metadata.getOptions(handler) ?? {};
    const body = (options.request?.([request.body]) ?? request.body) as
      { model?: unknown; stream?: unknown } | undefined;
    this.frontend.refused(
      {
        // Not a string, or missing: the model admission records it as __overflow__.
        model: body?.model as string,
        endpoint: options.endpoint ?? endpointFromMethod(handler.name),
        stream: body?.stream === true,
      },
      err,
    );
  }
}
