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

interface FrontendFamilies {
  requests: CounterVec;
  inflight: GaugeVec;
  histograms: Record<Exclude<keyof ModelSeries, 'inflight'>, HistogramVec>;
  /** Bounded: at most `frontend.maxModels` names plus `__overflow__`. */
  models: ModelBudget;
}

/**
 * Dynamo's LLM HTTP frontend metrics (`nv_llm_http_service_*` by default). Use it through
 * @LlmFrontendEndpoint(), or directly: `const r = frontend.startRequest(...)`, `r.tokens(n)`,
 * `r.usage(usage)`, `r.end('success' | 'error')`.
 */
@Injectable()
export class FrontendMetrics {
  private families?: FrontendFamilies;
  private readonly byModel = new Map<string, ModelSeries>();

  constructor(
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
  ) {}

  /**
   * Creates the frontend families now. They are created lazily, so an app without frontend
   * endpoints exports none; @LlmFrontendEndpoint() calls this at start-up, startRequest() at
   * first use.
   * @internal
   */
  defineFamilies(): void {
    this.familiesNow();
  }

  private familiesNow(): FrontendFamilies {
    if (this.families) return this.families;
    // Frontend metrics live at runtime level under their own prefix and use an `endpoint`
    // label of their own (the OpenAI route), as Dynamo's frontend does.
    const level = this.runtime.withPrefix(this.config.frontendPrefix, {
      allowHierarchyLabels: true,
    });
    const m = FRONTEND_METRICS;
    const histogram = (d: {
      name: string;
      help: string;
      labels: readonly string[];
      buckets: readonly number[];
    }) => level.createHistogramVec(d.name, d.help, d.labels, {}, d.buckets);
    const requests = level.createIntCounterVec(m.requests.name, m.requests.help, m.requests.labels);
    return (this.families = {
      requests,
      inflight: level.createIntGaugeVec(m.inflight.name, m.inflight.help, m.inflight.labels),
      histograms: {
        duration: histogram(m.duration),
        inputTokens: histogram(m.inputTokens),
        outputTokens: histogram(m.outputTokens),
        timeToFirstToken: histogram(m.timeToFirstToken),
        interTokenLatency: histogram(m.interTokenLatency),
      },
      models: new ModelBudget(this.runtime, requests.name, this.config),
    });
  }

  startRequest({ model, endpoint, stream, trace }: StartRequestOptions): FrontendRequest {
    const { requests, models } = this.familiesNow();
    const name = models.label(String(model));
    const type: RequestType = stream ? 'stream' : 'unary';
    const exemplar =
      trace === undefined || trace instanceof ExemplarText
        ? trace
        : traceExemplar(trace.traceId, trace.spanId);
    return new FrontendRequest(this.series(name), requests, name, endpoint, type, exemplar);
  }

  private series(model: string): ModelSeries {
    let series = this.byModel.get(model);
    if (!series) {
      const { inflight, histograms: h } = this.familiesNow();
      series = {
        inflight: inflight.labels(model),
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
