import type { ExemplarText } from './exemplar';
import type { MetricsLevel } from './level';
import type { CounterVec, GaugeVec, HistogramVec } from './metric-vec';
import type { HistogramSeries } from './histogram-series';
import type { CounterSeries, GaugeSeries } from './series';
import { WORKER_METRICS as M } from './worker-metric-definitions';

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
/** The worker metrics' `error_type` label values. */
export type WorkerErrorType = (typeof WORKER_ERROR_TYPES)[number];

export interface WorkerMetricsOptions {
  /**
   * Values of variable labels (e.g. `{ model: 'llama' }`), after the hierarchy labels; every set
   * of one endpoint names the same labels. Default none: the level's plain series.
   */
  labels?: Readonly<Record<string, string>> | undefined;
  /** `cancellation_total`. Default: on in the `component` profile, off in `classic`. */
  cancellation?: boolean | undefined;
  /** `time_to_first_response_seconds`. Default: on in `component`, off in `classic`. */
  timeToFirstResponse?: boolean | undefined;
}

/** How one call ended, for `end()`. Times are ms in the clock of `start()`. */
export interface WorkerCallEnd {
  /** What `start()` returned. */
  startedAt: number;
  /** Request payload bytes received. Default 0. */
  requestBytes?: number | undefined;
  /** Response payload bytes sent. Default 0. */
  responseBytes?: number | undefined;
  /** Why the call failed; absent for a success. */
  errorType?: WorkerErrorType | undefined;
  /**
   * When the first response item was sent. Absent: a call that succeeded counts its whole
   * response as its first item; a failed one has no time to first response.
   */
  firstResponseAt?: number | undefined;
  /** When the call ended. Default: now (`performance.now()`, the clock of `start()`). */
  endedAt?: number | undefined;
  /** The call's trace, attached to the duration histogram as an exemplar. */
  exemplar?: ExemplarText | undefined;
}

/**
 * The standard worker metrics of one endpoint and one set of label values, resolved once:
 * `start()` and `end()` are the whole per-call cost (field updates on bound series, one clock
 * read each). Creating them again for the same endpoint and labels reuses the same series.
 */
export class WorkerMetrics {
  readonly requests!: CounterSeries;
  readonly concurrent!: GaugeSeries;
  readonly duration!: HistogramSeries;
  readonly requestBytes!: CounterSeries;
  readonly responseBytes!: CounterSeries;
  /** One series per `error_type`, all exported at 0 before the first failure. */
  readonly errors!: Readonly<Record<WorkerErrorType, CounterSeries>>;
  /** Present when `cancellation_total` is on. */
  readonly cancellations?: CounterSeries;
  /** Present when `time_to_first_response_seconds` is on. */
  readonly firstResponse?: HistogramSeries;

  constructor(endpoint: MetricsLevel, options: WorkerMetricsOptions = {}) {
    const labels = options.labels ?? {};
    const names = Object.keys(labels);
    Object.assign(
      this,
      names.length === 0
        ? plainSeries(endpoint, options)
        : bindSeries(
            workerFamilies(endpoint, names, options),
            names.map((name) => labels[name]!),
          ),
    );
  }

  /** Marks a call as started; returns the start time to pass to `end()`. */
  start(): number {
    beginWorkerCall(this);
    return performance.now();
  }

  /** Marks a started call as finished: call it exactly once per `start()`. */
  end(call: WorkerCallEnd): void {
    endWorkerCall(
      this,
      call.startedAt,
      call.requestBytes ?? 0,
      call.responseBytes ?? 0,
      call.errorType,
      call.exemplar,
      call.firstResponseAt,
      call.endedAt ?? performance.now(),
    );
  }
}

/**
 * `start()` without reading the clock, for callers whose times come from elsewhere (such as
 * Fastify's own reads of it). The decorators' per-call path, like `endWorkerCall`.
 */
export function beginWorkerCall(metrics: WorkerMetrics): void {
  metrics.requests.value++;
  metrics.concurrent.value++;
}

/** `end()` with positional arguments: no object per call on the decorators' hot path. */
export function endWorkerCall(
  metrics: WorkerMetrics,
  startedAt: number,
  requestBytes: number,
  responseBytes: number,
  error: WorkerErrorType | undefined,
  exemplar: ExemplarText | undefined,
  firstResponseAt: number | undefined,
  now: number,
): void {
  metrics.concurrent.value--;
  metrics.duration.observeAt((now - startedAt) / 1000, exemplar, now);
  if (requestBytes > 0) metrics.requestBytes.value += requestBytes;
  if (responseBytes > 0) metrics.responseBytes.value += responseBytes;
  if (error !== undefined) {
    metrics.errors[error].value++;
    if (error === 'cancelled' && metrics.cancellations !== undefined) metrics.cancellations.value++;
  }
  const first = firstResponseAt ?? (error === undefined ? now : undefined);
  if (first !== undefined && metrics.firstResponse !== undefined) {
    metrics.firstResponse.observeAt((first - startedAt) / 1000, exemplar, first);
  }
}

/**
 * Creates the labelled worker families of `level` now (start-up), so that they keep their place
 * in the exposition and a conflict of label names fails early; returns the full name of
 * `requests_total`, the metric overflowed label sets are counted under.
 */
export function defineWorkerFamilies(
  level: MetricsLevel,
  labelNames: readonly string[],
  options: WorkerMetricsOptions = {},
): string {
  return workerFamilies(level, labelNames, options).requests.name;
}

/** The bound series, which `WorkerMetrics` takes on. */
type WorkerSeries = Omit<WorkerMetrics, 'start' | 'end'>;

interface WorkerFamilies {
  requests: CounterVec;
  concurrent: GaugeVec;
  duration: HistogramVec;
  requestBytes: CounterVec;
  responseBytes: CounterVec;
  errors: CounterVec;
  cancellations?: CounterVec;
  firstResponse?: HistogramVec;
}

function extrasOf(level: MetricsLevel, options: WorkerMetricsOptions) {
  const on = level.naming.workerExtras;
  return {
    cancellation: options.cancellation ?? on,
    firstResponse: options.timeToFirstResponse ?? on,
  };
}

/** Without labels the metrics are the level's plain series (classic output). */
function plainSeries(level: MetricsLevel, options: WorkerMetricsOptions): WorkerSeries {
  const { cancellation, firstResponse } = extrasOf(level, options);
  // In this order: the exposition lists families in creation order.
  const requests = level.createIntCounter(M.requests.name, M.requests.help);
  const concurrent = level.createIntGauge(level.naming.concurrentRequests, M.concurrent.help);
  const duration = level.createHistogram(M.duration.name, M.duration.help);
  const requestBytes = level.createIntCounter(M.requestBytes.name, M.requestBytes.help);
  const responseBytes = level.createIntCounter(M.responseBytes.name, M.responseBytes.help);
  const errors = level.createIntCounterVec(M.errors.name, M.errors.help, [M.errors.label]);
  return {
    requests,
    concurrent,
    duration,
    requestBytes,
    responseBytes,
    errors: byErrorType((type) => errors.labels(type)),
    cancellations: cancellation
      ? level.createIntCounter(M.cancellations.name, M.cancellations.help)
      : undefined,
    firstResponse: firstResponse
      ? level.createHistogram(M.firstResponse.name, M.firstResponse.help)
      : undefined,
  };
}

/** The labelled families (the level returns the ones it has when asked again). */
function workerFamilies(
  level: MetricsLevel,
  labels: readonly string[],
  options: WorkerMetricsOptions,
): WorkerFamilies {
  const { cancellation, firstResponse } = extrasOf(level, options);
  const concurrent = level.naming.concurrentRequests;
  return {
    requests: level.createIntCounterVec(M.requests.name, M.requests.help, labels),
    concurrent: level.createIntGaugeVec(concurrent, M.concurrent.help, labels),
    duration: level.createHistogramVec(M.duration.name, M.duration.help, labels),
    requestBytes: level.createIntCounterVec(M.requestBytes.name, M.requestBytes.help, labels),
    responseBytes: level.createIntCounterVec(M.responseBytes.name, M.responseBytes.help, labels),
    errors: level.createIntCounterVec(M.errors.name, M.errors.help, [...labels, M.errors.label]),
    cancellations: cancellation
      ? level.createIntCounterVec(M.cancellations.name, M.cancellations.help, labels)
      : undefined,
    firstResponse: firstResponse
      ? level.createHistogramVec(M.firstResponse.name, M.firstResponse.help, labels)
      : undefined,
  };
}

function bindSeries(v: WorkerFamilies, values: string[]): WorkerSeries {
  return {
    requests: v.requests.labels(...values),
    concurrent: v.concurrent.labels(...values),
    duration: v.duration.labels(...values),
    requestBytes: v.requestBytes.labels(...values),
    responseBytes: v.responseBytes.labels(...values),
    // Every error type resolved up front, so each is exported (at 0) before the first failure.
    errors: byErrorType((type) => v.errors.labels(...values, type)),
    cancellations: v.cancellations?.labels(...values),
    firstResponse: v.firstResponse?.labels(...values),
  };
}

function byErrorType(
  resolve: (type: WorkerErrorType) => CounterSeries,
): Record<WorkerErrorType, CounterSeries> {
  const byType = {} as Record<WorkerErrorType, CounterSeries>;
  for (const type of WORKER_ERROR_TYPES) byType[type] = resolve(type);
  return byType;
}
