import type { CounterSeries, GaugeSeries, HistogramSeries } from './series';

/** Names (before the prefix) and help texts of the standard worker metrics. */
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

/**
 * The documented, closed set of `error_type` values:
 * - `client_error`: the handler rejected the request (an HTTP 4xx exception or an RPC exception);
 * - `handler_error`: the handler threw or its promise rejected with anything else;
 * - `stream_error`: a stream, Observable or async iterable failed after the response started;
 * - `cancelled`: the client went away, or unsubscribed, before the response was complete.
 */
export const WORKER_ERROR_TYPES = [
  'client_error',
  'handler_error',
  'stream_error',
  'cancelled',
] as const;
export type WorkerErrorType = (typeof WORKER_ERROR_TYPES)[number];

/** The bound series of one endpoint and one set of label values. */
export interface WorkerSeries {
  readonly requests: CounterSeries;
  readonly concurrent: GaugeSeries;
  readonly duration: HistogramSeries;
  readonly requestBytes: CounterSeries;
  readonly responseBytes: CounterSeries;
  readonly errors: Readonly<Record<WorkerErrorType, CounterSeries>>;
  /** Present when `cancellation_total` is on. */
  readonly cancellations?: CounterSeries;
  /** Present when `time_to_first_response_seconds` is on. */
  readonly firstResponse?: HistogramSeries;
}
