import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ExemplarText, traceExemplar } from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { loadOpenTelemetry, OpenTelemetryApi } from './opentelemetry';
import { parseTraceparent } from './traceparent';

/**
 * The trace of the call being recorded, as an exemplar for the latency histograms. In order: the
 * user's `traceContext` option (which replaces the rest); the active OpenTelemetry span, when
 * `@opentelemetry/api` is installed and a span is active; the incoming request's `traceparent`
 * header; the trace of the decorated request this call runs within (the package's own
 * AsyncLocalStorage, for provider methods called by a handler when OpenTelemetry is absent).
 * With exemplars off, `enabled` is false and recorders never call it.
 */
@Injectable()
export class TraceContextService {
  readonly enabled: boolean;
  private readonly otel?: OpenTelemetryApi;
  private readonly store?: AsyncLocalStorage<ExemplarText>;
  private readonly custom?: DynamoMetricsConfig['traceContext'];
  /** One rendered exemplar per span context object: a span's calls share it. */
  private readonly bySpan = new WeakMap<object, ExemplarText>();
  /** The span seen last: consecutive calls of one span skip the map. */
  private lastSpan?: object;
  private lastExemplar?: ExemplarText;

  constructor(@Inject(DYNAMO_METRICS_CONFIG) config: DynamoMetricsConfig) {
    this.enabled = config.exemplars;
    if (!this.enabled) return;
    this.custom = config.traceContext;
    if (!this.custom) {
      this.otel = loadOpenTelemetry();
      this.store = new AsyncLocalStorage();
    }
  }

  /** The exemplar of the current call, given its HTTP request when it has one. */
  current(request?: IncomingMessage): ExemplarText | undefined {
    if (this.custom) {
      const ctx = this.custom(request);
      return ctx && typeof ctx.traceId === 'string'
        ? traceExemplar(ctx.traceId, ctx.spanId)
        : undefined;
    }
    const fromSpan = this.fromOpenTelemetry();
    if (fromSpan) return fromSpan;
    const header = request?.headers?.traceparent;
    if (typeof header === 'string') {
      const parent = parseTraceparent(header);
      if (parent) return traceExemplar(parent.traceId, parent.spanId);
    }
    return this.store?.getStore();
  }

  /**
   * Runs a handler so that decorated methods it calls inherit `exemplar`. Only needed without
   * OpenTelemetry (whose own context does it) and when the trace came from the request.
   */
  run<T>(exemplar: ExemplarText | undefined, fn: () => T): T {
    const store = this.store;
    if (!store || exemplar === undefined || store.getStore() === exemplar) return fn();
    return store.run(exemplar, fn);
  }

  private fromOpenTelemetry(): ExemplarText | undefined {
    const otel = this.otel;
    if (!otel) return undefined;
    const span = otel.trace.getSpanContext(otel.context.active());
    if (!span) return undefined;
    if (span === this.lastSpan) return this.lastExemplar;
    // A span's calls share one exemplar; validity is checked once, when it is first seen.
    let exemplar = this.bySpan.get(span);
    if (exemplar === undefined && otel.isSpanContextValid(span)) {
      exemplar = traceExemplar(span.traceId, span.spanId);
      if (exemplar) this.bySpan.set(span, exemplar);
    }
    this.lastSpan = span;
    this.lastExemplar = exemplar;
    return exemplar;
  }
}
