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

export type RequestType = 'unary' | 'stream';
export type RequestStatus = 'success' | 'error';

/** Metadata key set by @LlmFrontendEndpoint(). */
export const LLM_FRONTEND_METADATA = 'dynamo:llm-frontend';
