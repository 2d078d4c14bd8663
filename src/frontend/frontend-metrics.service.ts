import { Inject, Injectable } from '@nestjs/common';
import {
  DistributedRuntime,
  DynamoMetricsError,
  ExemplarText,
  FrontendErrorType,
  FrontendNaming,
  ModelConfigRole,
  traceExemplar,
} from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig, TraceContext } from '../config/dynamo-metrics-options.interface';
import { frontendErrorType } from './frontend-error-type';
import { FrontendFamilies } from './frontend-families';
import { RequestType } from './frontend-metrics.constants';
import { FrontendRequest, ModelSeries } from './frontend-request';
import { ModelAdmission } from '../instrumentation/model-admission';
import { FRONTEND_MESSAGES } from './frontend.messages';
import { runStage, StageEnd } from './stage';

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

/** A model's configuration, as Dynamo's frontend publishes it (`model_*{model}` gauges). */
export type ModelConfig = Partial<Record<ModelConfigRole, number>>;
const MODEL_CONFIG_KEYS: readonly ModelConfigRole[] = [
  'contextLength',
  'kvCacheBlockSize',
  'totalKvBlocks',
  'maxNumSeqs',
  'maxNumBatchedTokens',
  'migrationLimit',
];
const TOKENIZER_OPERATIONS = ['tokenize', 'detokenize'] as const;

/**
 * Dynamo's LLM HTTP frontend metrics (`nv_llm_http_service_*` by default). Use it through
 * @LlmFrontendEndpoint(), or directly: `const r = frontend.startRequest(...)`, `r.tokens(n)`,
 * `r.usage(usage)`, `r.end('success' | 'error')`. Under `component` it also publishes model
 * configurations, tokenizer latency and pipeline stages (no-ops where the profile has none).
 */
@Injectable()
export class FrontendMetrics {
  private families?: FrontendFamilies;
  /** Bounded by the model budget: at most `frontend.maxModels` names plus `__overflow__`. */
  private readonly byModel = new Map<string, ModelSeries>();
  private readonly profile: FrontendNaming;
  /** @internal whether refusals (4xx before any response) are counted, as the profile says */
  readonly countsRefusals: boolean;

  constructor(
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG) private readonly config: DynamoMetricsConfig,
    private readonly models: ModelAdmission,
  ) {
    this.profile = runtime.naming.frontend;
    this.countsRefusals = this.profile.countsRefusals;
  }

  /**
   * Creates the frontend families now (those the profile does not mark lazy). They are created
   * lazily, so an app without frontend endpoints exports none; @LlmFrontendEndpoint() calls this
   * at start-up, startRequest() at first use.
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
    const { namespace, frontendBuckets } = this.config;
    return (this.families = new FrontendFamilies(level, this.profile, namespace, frontendBuckets));
  }

  /** A request enters: counted in `requests_started_total` (component) and in flight. */
  startRequest({ model, endpoint, stream, trace }: StartRequestOptions): FrontendRequest {
    const families = this.familiesNow();
    const name = this.models.label(model, families.requestsName);
    const type: RequestType = stream ? 'stream' : 'unary';
    const exemplar =
      trace === undefined || trace instanceof ExemplarText
        ? trace
        : traceExemplar(trace.traceId, trace.spanId);
    const outcome = families.outcome(name, endpoint, type);
    return new FrontendRequest(this.series(name), outcome, name, endpoint, type, exemplar);
  }

  /**
   * The `model` label value for a metric of your own that a client's model reaches (a counter by
   * model in a backend): the same admission as the frontend's, so such a metric carries at most
   * the frontend's models plus `__overflow__` (README, "Cardinality"). Overflows are counted under
   * `metric` (a full metric name), by default the frontend's `requests_total`.
   */
  modelLabel(model: unknown, metric?: string): string {
    return this.models.label(model, metric ?? this.familiesNow().requestsName);
  }

  /** A request refused before its handler ran (`component` profile: counted with its error type). */
  refused(request: Omit<StartRequestOptions, 'trace'>, err: unknown): void {
    this.startRequest(request).discard(this.errorType(err));
  }

  /**
   * The `error_type` this frontend gives a thrown value (README, "Error types"); `afterFirstChunk`:
   * a stream failed after sending part of its response.
   */
  errorType(err: unknown, afterFirstChunk = false): FrontendErrorType {
    return frontendErrorType(this.profile.errorTypes, err, afterFirstChunk);
  }

  /**
   * Publishes a model's configuration, as Dynamo's frontend does when a worker registers:
   * `model_context_length`, `model_kv_cache_block_size`, `model_total_kv_blocks`,
   * `model_max_num_seqs`, `model_max_num_batched_tokens`, `model_migration_limit` (`{model}`,
   * through the model budget). Values given replace earlier ones; others are left as they were.
   */
  publishModelConfig(model: string, config: ModelConfig): void {
    const families = this.familiesNow();
    const entries = Object.entries(config ?? {});
    for (const [key, value] of entries) {
      if (!(MODEL_CONFIG_KEYS as readonly string[]).includes(key)) {
        throw new DynamoMetricsError(
          FRONTEND_MESSAGES.unknownModelConfig(model, key, MODEL_CONFIG_KEYS),
        );
      }
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
        throw new DynamoMetricsError(FRONTEND_MESSAGES.invalidModelConfig(model, key, value));
      }
    }
    // Only the gauges this profile has: a model costs a budget slot only where it is recorded.
    const given = entries.filter(
      ([key, value]) => value !== undefined && families.family(key as ModelConfigRole),
    );
    if (given.length === 0) return;
    const label = this.models.label(model, families.requestsName);
    for (const [key, value] of given) families.series(key as ModelConfigRole, label).set(value!);
  }

  /** Records one tokenizer run in `tokenizer_latency_ms{operation}` (Dynamo: once per request). */
  tokenizerLatency(operation: 'tokenize' | 'detokenize', milliseconds: number): void {
    if (!(TOKENIZER_OPERATIONS as readonly unknown[]).includes(operation)) {
      throw new DynamoMetricsError(
        FRONTEND_MESSAGES.invalidTokenizerOperation(operation, TOKENIZER_OPERATIONS),
      );
    }
    this.familiesNow().series('tokenizerLatency', operation).observe(milliseconds);
  }

  /**
   * A request enters a pipeline stage (`preprocess`, `route`, `dispatch`...): counted in
   * `stage_requests{stage,phase}` until the returned function is called, which also observes
   * `stage_duration_seconds{stage}`. Further calls of it are ignored.
   */
  startStage(stage: string, phase = ''): StageEnd {
    const families = this.familiesNow();
    const inStage = families.series('stageRequests', stage, phase);
    const duration = families.series('stageDuration', stage);
    inStage.inc();
    const started = performance.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      inStage.dec();
      duration.observe((performance.now() - started) / 1000);
    };
  }

  /** Runs `fn` as one pass through `stage` (sync or async; a throw or rejection ends it too). */
  stage<T>(stage: string, fn: () => T, phase = ''): T {
    return runStage(this.startStage(stage, phase), fn);
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
