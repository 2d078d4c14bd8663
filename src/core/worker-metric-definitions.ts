/**
 * The worker metric families as data: names (before the prefix) and help texts. Kept apart from
 * worker-metrics.ts only for its size; that file is the concept.
 */
export const WORKER_METRICS = {
  requests: {
    name: 'requests_total',
    help: 'Total number of requests started by the endpoint handler',
  },
  /** Named by the profile: `concurrent_requests` (classic) or `inflight_requests` (component). */
  concurrent: {
    name: 'concurrent_requests',
    help: 'Number of requests the endpoint handler is processing now',
  },
  duration: {
    name: 'request_duration_seconds',
    help: 'Time from request entry until the response is complete (for streams: until the stream ends)',
  },
  requestBytes: {
    name: 'request_bytes_total',
    help: 'Total bytes of request payload received by the endpoint',
  },
  responseBytes: {
    name: 'response_bytes_total',
    help: 'Total bytes of response payload sent by the endpoint',
  },
  errors: {
    name: 'errors_total',
    help: 'Total number of failed requests, by error type',
    label: 'error_type',
  },
  cancellations: {
    name: 'cancellation_total',
    help: 'Total number of requests that ended because the client or caller went away',
  },
  firstResponse: {
    name: 'time_to_first_response_seconds',
    help: 'Time from request entry until the first response item is sent (unary: the whole response)',
  },
} as const;
