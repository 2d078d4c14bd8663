import { Inject, Injectable } from '@nestjs/common';
import {
  CounterVec,
  DistributedRuntime,
  ExemplarText,
  GaugeVec,
  HistogramVec,
  traceExemplar,
} from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig, TraceContext } from '../config/dynamo-metrics-options.interface';
import { FRONTEND_METRICS, RequestType } from './frontend-metrics.constants';
import { FrontendRequest, ModelSeries } from './frontend-request';
import { ModelBudget } from './model-budget';

export interface StartRequestOptions {
  /** Model name; lower-cased for the label. */
  model: string;
  /** OpenAI endpoint, e.g. `chat_completions`, `completions`, `embeddings`. */
  endpoint: string;
  /** Streamed (SSE) or unary response. */
  stream: boolean;
  /**
   * Trace of the request, for exemplars on its duration, TTFT and ITL observations: trace id
   * and span id (hex) as OpenTelemetry gives them, or a ready exemplar.
   */
  trace?: TraceContext | ExemplarText;
}

/**
 * Dynamo's LLM HTTP frontend metrics (`nv_llm_http_service_*` by default). Use it through
 * @LlmFrontendEndpoint(), or directly: `const r = frontend.startRequest(...)`, `r.tokens(n)`,
 * `r.usage(usage)`, `r.end('success' | 'error')`.
 */
@Injectable()
export class FrontendMetrics {
  private readonly requests: CounterVec;
  private readonly inflight: GaugeVec;
  private readonly histograms: Record<Exclude<keyof ModelSeries, 'inflight'>, HistogramVec>;
  /** Bounded by `models`: at most `frontend.maxModels` names plus `__overflow__`. */
  private readonly byModel = new Map<string, ModelSeries>();
  private readonly models: ModelBudget;

  constructor(
    runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) config: DynamoMetricsConfig,
  ) {
    // Frontend metrics live at runtime level under their own prefix and use an `endpoint`
    // label of their own (the OpenAI route), as Dynamo's frontend does.
    const level = runtime.withPrefix(config.frontendPrefix, { allowHierarchyLabels: true });
    const m = FRONTEND_METRICS;
    this.requests = level.createIntCounterVec(m.requests.name, m.requests.help, m.requests.labels);
    this.models = new ModelBudget(runtime, this.requests.name, config);
    this.inflight = level.createIntGaugeVec(m.inflight.name, m.inflight.help, m.inflight.labels);
    const histogram = (d: {
      name: string;
      help: string;
      labels: readonly string[];
      buckets: readonly number[];
    }) => level.createHistogramVec(d.name, d.help, d.labels, {}, d.buckets);
    this.histograms = {
      duration: histogram(m.duration),
      inputTokens: histogram(m.inputTokens),
      outputTokens: histogram(m.outputTokens),
      timeToFirstToken: histogram(m.timeToFirstToken),
      interTokenLatency: histogram(m.interTokenLatency),
    };
  }

  startRequest({ model, endpoint, stream, trace }: StartRequestOptions): FrontendRequest {
    const name = this.models.label(String(model));
    const type: RequestType = stream ? 'stream' : 'unary';
    const exemplar =
      trace === undefined || trace instanceof ExemplarText
        ? trace
        : traceExemplar(trace.traceId, trace.spanId);
    return new FrontendRequest(this.series(name), this.requests, name, endpoint, type, exemplar);
  }

  private series(model: string): ModelSeries {
    let series = this.byModel.get(model);
    if (!series) {
      const h = this.histograms;
      series = {
        inflight: this.inflight.labels(model),
        duration: h.duration.labels(model),
        inputTokens: h.inputTokens.labels(model),
        outputTokens: h.outputTokens.labels(model),
        timeToFirstToken: h.timeToFirstToken.labels(model),
        interTokenLatency: h.interTokenLatency.labels(model),
      };
      this.byModel.set(model, series);
    }
    return series;
  }
}
