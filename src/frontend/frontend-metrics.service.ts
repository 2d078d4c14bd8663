import { Inject, Injectable } from '@nestjs/common';
import { DistributedRuntime, ExemplarText, traceExemplar } from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig, TraceContext } from '../config/dynamo-metrics-options.interface';
import { frontendErrorType } from './frontend-error-type';
import { FrontendFamilies } from './frontend-families';
import { RequestType } from './frontend-metrics.constants';
import { FrontendRequest, ModelSeries } from './frontend-request';
import { ModelAdmission } from '../instrumentation/model-admission';

export interface StartRequestOptions {
  /**
   * Model name as the client sent it; trimmed and lower-cased for the label. A missing, blank
   * or non-string value, or one past the model budget, is recorded as `__overflow__`.
   */
  model: string;
  /** OpenAI endpoint, e.g. `chat_completions`, `completions`, `embeddings`. */
  endpoint: string;
  /** Streamed (SSE) or unary response. */
  stream: boolean;
  /**
   * Trace of the request, for exemplars on its duration, TTFT and ITL observations: trace id
   * and span id (hex) as OpenTelemetry gives them, or a ready exemplar.
   */
  trace?: TraceContext | ExemplarText | undefined;
}

/**
 * Dynamo's LLM HTTP frontend metrics (`nv_llm_http_service_*` by default). Use it through
 * @LlmFrontendEndpoint(), or directly: `const r = frontend.startRequest(...)`, `r.tokens(n)`,
 * `r.usage(usage)`, `r.end('success' | 'error')`.
 */
@Injectable()
export class FrontendMetrics {
  private families?: FrontendFamilies;
  /** Bounded by the model budget: at most `frontend.maxModels` names plus `__overflow__`. */
  private readonly byModel = new Map<string, ModelSeries>();
  /** Whether refusals (4xx before any response) are counted: the `component` profile. */
  readonly countsRefusals: boolean;

  constructor(
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly models: ModelAdmission,
  ) {
    this.countsRefusals = config.naming === 'component';
  }

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
    // Today's Dynamo labels every frontend metric with its namespace (its planner filters on it).
    const namespace = this.countsRefusals ? this.config.namespace : undefined;
    return (this.families = new FrontendFamilies(level, namespace));
  }

  startRequest({ model, endpoint, stream, trace }: StartRequestOptions): FrontendRequest {
    const families = this.familiesNow();
    const name = this.models.label(model, families.requests.name);
    const type: RequestType = stream ? 'stream' : 'unary';
    const exemplar =
      trace === undefined || trace instanceof ExemplarText
        ? trace
        : traceExemplar(trace.traceId, trace.spanId);
    const outcome = families.outcome(name, endpoint, type);
    return new FrontendRequest(this.series(name), outcome, name, endpoint, type, exemplar);
  }

  /** A request refused before its handler ran (`component` profile: counted with its error type). */
  refused(request: Omit<StartRequestOptions, 'trace'>, err: unknown): void {
    this.startRequest(request).discard(frontendErrorType(err));
  }

  private series(model: string): ModelSeries {
    let series = this.byModel.get(model);
    if (!series) {
      series = this.familiesNow().modelSeries(model);
      this.byModel.set(model, series);
    }
    return series;
  }
}
