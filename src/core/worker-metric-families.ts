import type { MetricsLevel } from './level';
import type { CounterVec, GaugeVec, HistogramVec } from './metric-vec';
import type { CounterSeries } from './series';
import {
  WORKER_ERROR_TYPES,
  WORKER_METRICS as M,
  WorkerErrorType,
  WorkerSeries,
} from './worker-metric-names';

export interface WorkerMetricsOptions {
  /**
   * Variable labels whose values each call supplies (e.g. `['model']`), after the hierarchy
   * labels. Default none: the metrics are plain series of the level.
   */
  labelNames?: readonly string[];
  /** `cancellation_total`. Default: on in the `component` profile, off in `classic`. */
  cancellation?: boolean;
  /** `time_to_first_response_seconds`. Default: on in `component`, off in `classic`. */
  timeToFirstResponse?: boolean;
}

interface Vecs {
  requests: CounterVec;
  concurrent: GaugeVec;
  duration: HistogramVec;
  requestBytes: CounterVec;
  responseBytes: CounterVec;
  errors: CounterVec;
  cancellations?: CounterVec;
  firstResponse?: HistogramVec;
}

/**
 * The worker metric families of one level, created (and their label names checked) at once.
 * `bind(values)` resolves the series of one set of label values; without label names there is
 * one set, bound at creation, and the metrics are the level's plain series (classic output).
 */
export class WorkerMetricFamilies {
  readonly labelNames: readonly string[];
  private readonly plain?: WorkerSeries;
  private readonly vecs?: Vecs;

  constructor(level: MetricsLevel, options: WorkerMetricsOptions = {}) {
    this.labelNames = Object.freeze([...(options.labelNames ?? [])]);
    const extras = level.naming.workerExtras;
    const cancellation = options.cancellation ?? extras;
    const firstResponse = options.timeToFirstResponse ?? extras;
    const concurrent = level.naming.concurrentRequests;
    const labels = this.labelNames;
    if (labels.length === 0) {
      // In this order: the exposition lists families in creation order.
      const requests = level.createIntCounter(M.requests.name, M.requests.help);
      const gauge = level.createIntGauge(concurrent, M.concurrent.help);
      const duration = level.createHistogram(M.duration.name, M.duration.help);
      const requestBytes = level.createIntCounter(M.requestBytes.name, M.requestBytes.help);
      const responseBytes = level.createIntCounter(M.responseBytes.name, M.responseBytes.help);
      const errors = level.createIntCounterVec(M.errors.name, M.errors.help, [M.errors.label]);
      this.plain = {
        requests,
        concurrent: gauge,
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
      return;
    }
    this.vecs = {
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

  /** Full name of `requests_total`, the metric overflowed label sets are counted under. */
  get requestsName(): string {
    return this.vecs?.requests.name ?? this.plain!.requests.metricName;
  }

  /** The series of one set of label values (in `labelNames` order). */
  bind(values: readonly string[] = []): WorkerSeries {
    const v = this.vecs;
    if (v === undefined) return this.plain!;
    const args = values as string[];
    return {
      requests: v.requests.labels(...args),
      concurrent: v.concurrent.labels(...args),
      duration: v.duration.labels(...args),
      requestBytes: v.requestBytes.labels(...args),
      responseBytes: v.responseBytes.labels(...args),
      // Every error type resolved up front, so each is exported (at 0) before the first failure.
      errors: byErrorType((type) => v.errors.labels(...args, type)),
      cancellations: v.cancellations?.labels(...args),
      firstResponse: v.firstResponse?.labels(...args),
    };
  }
}

function byErrorType(
  resolve: (type: WorkerErrorType) => CounterSeries,
): Record<WorkerErrorType, CounterSeries> {
  const byType = {} as Record<WorkerErrorType, CounterSeries>;
  for (const type of WORKER_ERROR_TYPES) byType[type] = resolve(type);
  return byType;
}
