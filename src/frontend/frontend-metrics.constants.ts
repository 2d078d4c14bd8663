/** Metric names (after the frontend prefix), label names and buckets of Dynamo's LLM frontend. */
export const FRONTEND_METRICS = {
  requests: {
    name: 'requests_total',
    help: 'Total number of LLM requests processed',
    labels: ['model', 'endpoint', 'request_type', 'status'],
  },
  inflight: {
    name: 'inflight_requests',
    help: 'Number of LLM requests in progress',
    labels: ['model'],
  },
  duration: {
    name: 'request_duration_seconds',
    help: 'Duration of LLM requests, from start until the response is complete',
    labels: ['model'],
    buckets: [0, 1, 2, 4, 8, 16, 32, 64, 128, 256],
  },
  inputTokens: {
    name: 'input_sequence_tokens',
    help: 'Input sequence length in tokens',
    labels: ['model'],
    buckets: [0, 50, 100, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000],
  },
  outputTokens: {
    name: 'output_sequence_tokens',
    help: 'Output sequence length in tokens',
    labels: ['model'],
    buckets: [0, 50, 100, 500, 1000, 2000, 4000, 8000, 16000, 32000],
  },
  timeToFirstToken: {
    name: 'time_to_first_token_seconds',
    help: 'Time from request start to the first chunk carrying tokens',
    labels: ['model'],
    buckets: [
      0, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 240, 480,
    ],
  },
  interTokenLatency: {
    name: 'inter_token_latency_seconds',
    help: 'Time between tokens: the gap between token-carrying chunks divided by the tokens in the later chunk',
    labels: ['model'],
    buckets: [0, 0.001, 0.005, 0.01, 0.015, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
  },
} as const;

/**
 * The `component` profile's additions (today's Dynamo frontend). Its `requests_total` also has
 * `error_type`, and every frontend metric carries `dynamo_namespace` (the module's namespace).
 */
export const COMPONENT_FRONTEND_METRICS = {
  errorTypeLabel: 'error_type',
  namespaceLabel: 'dynamo_namespace',
  /** Same value as `inflight_requests`: Dynamo is renaming one to the other. */
  active: {
    name: 'active_requests',
    help: 'Number of LLM requests in progress (the same value as inflight_requests)',
    labels: ['model'],
  },
  queued: {
    name: 'queued_requests',
    help: 'Number of LLM requests started that have no first token yet',
    labels: ['model'],
  },
  disconnected: {
    name: 'disconnected_clients',
    help: 'Number of clients that went away before their response was complete',
  },
  outputTokensTotal: {
    name: 'output_tokens_total',
    help: 'Total output tokens, counted as they stream',
    labels: ['model'],
  },
  cachedTokens: {
    name: 'cached_tokens',
    help: 'Prompt tokens served from cache per request (usage.prompt_tokens_details.cached_tokens)',
    labels: ['model'],
    buckets: [0, 50, 100, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000],
  },
} as const;

/**
 * `error_type` of a failed request (`component` profile), from what the handler, a pipe or the
 * connection did: HTTP 400/422 and other 4xx `validation`, 404 `not_found`, 429 and 503
 * `overload`, 501 `not_implemented`, a client that went away `cancelled`, anything else (5xx,
 * a plain throw, a failed stream) `internal`. Empty on success.
 */
export const FRONTEND_ERROR_TYPES = [
  'validation',
  'not_found',
  'overload',
  'cancelled',
  'internal',
  'not_implemented',
] as const;
export type FrontendErrorType = (typeof FRONTEND_ERROR_TYPES)[number];

export type RequestType = 'unary' | 'stream';
export type RequestStatus = 'success' | 'error';

/** Metadata key set by @LlmFrontendEndpoint(). */
export const LLM_FRONTEND_METADATA = 'dynamo:llm-frontend';
