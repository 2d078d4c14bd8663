import type { ExemplarText } from './exemplar';
import type { MetricsLevel } from './level';
import { CounterSeries, GaugeSeries, HistogramSeries } from './series';

/** Names (before the prefix) and help texts of the standard worker metrics. */
export const WORKER_METRICS = {
  requests: {
    name: 'requests_total',
    help: 'Total number of requests started by the endpoint handler',
  },
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

/**
 * The worker metrics of one endpoint, resolved once. `start()` and `end()` are the whole
 * per-call cost: field updates on bound series, one clock read each.
 */
export class WorkerMetrics {
  readonly requests: CounterSeries;
  readonly concurrent: GaugeSeries;
  readonly duration: HistogramSeries;
  readonly requestBytes: CounterSeries;
  readonly responseBytes: CounterSeries;
  readonly errors: Readonly<Record<WorkerErrorType, CounterSeries>>;

  constructor(level: MetricsLevel) {
    const m = WORKER_METRICS;
    this.requests = level.createIntCounter(m.requests.name, m.requests.help);
    this.concurrent = level.createIntGauge(m.concurrent.name, m.concurrent.help);
    this.duration = level.createHistogram(m.duration.name, m.duration.help);
    this.requestBytes = level.createIntCounter(m.requestBytes.name, m.requestBytes.help);
    this.responseBytes = level.createIntCounter(m.responseBytes.name, m.responseBytes.help);
    const errors = level.createIntCounterVec(m.errors.name, m.errors.help, [m.errors.label]);
    const byType = {} as Record<WorkerErrorType, CounterSeries>;
    // Resolved up front so every error type is exported (at 0) before the first failure.
    for (const type of WORKER_ERROR_TYPES) byType[type] = errors.labels(type);
    this.errors = byType;
  }

  /** Marks a call as started; returns the start time to pass to `end()`. */
  start(): number {
    this.requests.value++;
    this.concurrent.value++;
    return performance.now();
  }

  /** Marks a started call as finished. Call exactly once per `start()`. */
  end(
    startedAt: number,
    requestBytes: number,
    responseBytes: number,
    error?: WorkerErrorType,
    exemplar?: ExemplarText,
  ): void {
    this.concurrent.value--;
    this.duration.observe((performance.now() - startedAt) / 1000, exemplar);
    if (requestBytes > 0) this.requestBytes.value += requestBytes;
    if (responseBytes > 0) this.responseBytes.value += responseBytes;
    if (error !== undefined) this.errors[error].value++;
  }
}
