import type { FrontendBucketSet, FrontendFamilySpec, FrontendRole } from './frontend-naming';

type Families = Readonly<Partial<Record<FrontendRole, FrontendFamilySpec>>>;
const MODEL = ['model'];
const freeze = <T extends object>(o: T): T => Object.freeze(o);

/** The Dynamo guide's frontend (`nv_llm_http_service_*`): the package's output since 0.1. */
export const CLASSIC_FAMILIES: Families = freeze({
  requests: {
    type: 'intCounter',
    name: 'requests_total',
    help: 'Total number of LLM requests processed',
    labels: ['model', 'endpoint', 'request_type', 'status'],
  },
  inflight: {
    type: 'intGauge',
    name: 'inflight_requests',
    help: 'Number of LLM requests in progress',
    labels: MODEL,
  },
  duration: {
    type: 'histogram',
    name: 'request_duration_seconds',
    help: 'Duration of LLM requests, from start until the response is complete',
    labels: MODEL,
    buckets: 'requestDuration',
  },
  inputTokens: {
    type: 'histogram',
    name: 'input_sequence_tokens',
    help: 'Input sequence length in tokens',
    labels: MODEL,
    buckets: 'inputSequence',
  },
  outputTokens: {
    type: 'histogram',
    name: 'output_sequence_tokens',
    help: 'Output sequence length in tokens',
    labels: MODEL,
    buckets: 'outputSequence',
  },
  timeToFirstToken: {
    type: 'histogram',
    name: 'time_to_first_token_seconds',
    help: 'Time from request start to the first chunk carrying tokens',
    labels: MODEL,
    buckets: 'timeToFirstToken',
  },
  interTokenLatency: {
    type: 'histogram',
    name: 'inter_token_latency_seconds',
    help: 'Time between tokens: the gap between token-carrying chunks divided by the tokens in the later chunk',
    labels: MODEL,
    buckets: 'interTokenLatency',
  },
});

const gauge = (name: string, help: string, labels = MODEL, lazy = true): FrontendFamilySpec => ({
  type: 'intGauge',
  name,
  help,
  labels,
  lazy,
});
const histogram = (
  name: string,
  help: string,
  buckets: FrontendBucketSet | readonly number[],
  labels = MODEL,
  lazy = false,
): FrontendFamilySpec => ({ type: 'histogram', name, help, labels, buckets, lazy });

/**
 * Today's Dynamo frontend (`dynamo_frontend_*`), with its help texts, as in ai-dynamo/dynamo
 * lib/llm/src/http/service/metrics.rs and lib/runtime/src/metrics/frontend_perf.rs (README
 * "Naming profiles" names the version matched).
 */
export const COMPONENT_FAMILIES: Families = freeze({
  requests: {
    ...CLASSIC_FAMILIES.requests!,
    labels: ['model', 'endpoint', 'request_type', 'status', 'error_type'],
  },
  requestsStarted: {
    type: 'intCounter',
    name: 'requests_started_total',
    help: 'Total number of LLM requests accepted by the frontend handler',
    labels: ['model', 'endpoint', 'request_type'],
    lazy: true,
  },
  inflight: gauge('inflight_requests', 'Number of inflight requests', MODEL, false),
  duration: histogram('request_duration_seconds', 'Duration of LLM requests', 'requestDuration'),
  inputTokens: histogram(
    'input_sequence_tokens',
    'Input sequence length in tokens',
    'inputSequence',
  ),
  outputTokens: histogram(
    'output_sequence_tokens',
    'Output sequence length in tokens',
    'outputSequence',
  ),
  timeToFirstToken: histogram(
    'time_to_first_token_seconds',
    'Time to first token in seconds',
    'timeToFirstToken',
  ),
  interTokenLatency: histogram(
    'inter_token_latency_seconds',
    'Inter-token latency in seconds',
    'interTokenLatency',
  ),
  active: gauge(
    'active_requests',
    'Number of requests currently being handled by the frontend, from HTTP handler entry to response completion',
    MODEL,
    false,
  ),
  queued: gauge('queued_requests', 'Number of requests in HTTP processing queue', MODEL, false),
  outputTokensTotal: {
    type: 'intCounter',
    name: 'output_tokens_total',
    help: 'Total number of output tokens generated (updates in real-time)',
    labels: MODEL,
  },
  // Dynamo sizes cached tokens with the input-sequence buckets.
  cachedTokens: histogram(
    'cached_tokens',
    'Number of cached tokens (prefix cache hits) per request',
    'inputSequence',
  ),
  disconnected: gauge('disconnected_clients', 'Number of disconnected clients', [], false),
  contextLength: gauge(
    'model_context_length',
    'Maximum context length in tokens for a worker serving the model',
  ),
  kvCacheBlockSize: gauge(
    'model_kv_cache_block_size',
    'KV cache block size in tokens for a worker serving the model',
  ),
  totalKvBlocks: gauge(
    'model_total_kv_blocks',
    'Total KV cache blocks available for a worker serving the model',
  ),
  maxNumSeqs: gauge(
    'model_max_num_seqs',
    'Maximum number of sequences for a worker serving the model',
  ),
  maxNumBatchedTokens: gauge(
    'model_max_num_batched_tokens',
    'Maximum number of batched tokens for a worker serving the model',
  ),
  migrationLimit: gauge(
    'model_migration_limit',
    'Maximum number of request migrations allowed for the model',
  ),
  cancellation: {
    type: 'intCounter',
    name: 'model_cancellation_total',
    help: 'Total number of request cancellations',
    labels: ['model', 'endpoint', 'request_type'],
    lazy: true,
  },
  rejection: {
    type: 'intCounter',
    name: 'model_rejection_total',
    help: 'Total number of requests rejected due to resource exhaustion',
    labels: ['model', 'endpoint'],
    lazy: true,
  },
  tokenizerLatency: histogram(
    'tokenizer_latency_ms',
    'Tokenizer latency in milliseconds',
    [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    ['operation'],
    true,
  ),
  stageRequests: gauge(
    'stage_requests',
    'Number of requests currently in the given pipeline stage',
    ['stage', 'phase'],
  ),
  stageDuration: histogram(
    'stage_duration_seconds',
    'Pipeline stage duration (seconds)',
    [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5],
    ['stage'],
    true,
  ),
});
