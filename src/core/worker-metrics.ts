import type { ExemplarText } from './exemplar';
import { MetricsLevel } from './level';
import { CounterSeries, GaugeSeries, HistogramSeries } from './series';
import { WorkerMetricFamilies, WorkerMetricsOptions } from './worker-metric-families';
import type { WorkerErrorType, WorkerSeries } from './worker-metric-names';

export * from './worker-metric-names';
export { WorkerMetricFamilies, WorkerMetricsOptions } from './worker-metric-families';

/**
 * The worker metrics of one endpoint (and one set of label values), resolved once. `start()`
 * and `end()` are the whole per-call cost: field updates on bound series, one clock read each.
 */
export class WorkerMetrics implements WorkerSeries {
  readonly requests: CounterSeries;
  readonly concurrent: GaugeSeries;
  readonly duration: HistogramSeries;
  readonly requestBytes: CounterSeries;
  readonly responseBytes: CounterSeries;
  readonly errors: Readonly<Record<WorkerErrorType, CounterSeries>>;
  readonly cancellations?: CounterSeries;
  readonly firstResponse?: HistogramSeries;

  /**
   * `new WorkerMetrics(endpoint)` creates the metrics at that level (see WorkerMetricFamilies
   * for the options and for per-call labels); a WorkerSeries binds ones resolved elsewhere.
   */
  constructor(
    source: MetricsLevel | WorkerSeries,
    options: Omit<WorkerMetricsOptions, 'labelNames'> = {},
  ) {
    const series =
      source instanceof MetricsLevel
        ? new WorkerMetricFamilies(source, { ...options, labelNames: [] }).bind()
        : source;
    this.requests = series.requests;
    this.concurrent = series.concurrent;
    this.duration = series.duration;
    this.requestBytes = series.requestBytes;
    this.responseBytes = series.responseBytes;
    this.errors = series.errors;
    this.cancellations = series.cancellations;
    this.firstResponse = series.firstResponse;
  }

  /** Marks a call as started; returns the start time to pass to `end()`. */
  start(): number {
    this.begin();
    return performance.now();
  }

  /**
   * `start()` without reading the clock, for a caller whose times come from elsewhere (such as
   * Fastify's own reads of it); pass them to `end()`.
   * @internal
   */
  begin(): void {
    this.requests.value++;
    this.concurrent.value++;
  }

  /**
   * Marks a started call as finished. Call exactly once per `start()`. `firstResponseAt`: when
   * the first response item was sent; a call that succeeds without one counts its whole
   * response as its first item, a failed one without one has no time to first response.
   * `now`: the end, in the clock of `startedAt` (default `performance.now()`, `start()`'s).
   */
  end(
    startedAt: number,
    requestBytes: number,
    responseBytes: number,
    error?: WorkerErrorType,
    exemplar?: ExemplarText,
    firstResponseAt?: number,
    now: number = performance.now(),
  ): void {
    this.concurrent.value--;
    this.duration.observeAt((now - startedAt) / 1000, exemplar, now);
    if (requestBytes > 0) this.requestBytes.value += requestBytes;
    if (responseBytes > 0) this.responseBytes.value += responseBytes;
    if (error !== undefined) {
      this.errors[error].value++;
      if (error === 'cancelled' && this.cancellations !== undefined) this.cancellations.value++;
    }
    const first = firstResponseAt ?? (error === undefined ? now : undefined);
    if (first !== undefined && this.firstResponse !== undefined) {
      this.firstResponse.observeAt((first - startedAt) / 1000, exemplar, first);
    }
  }
}

/** Label sets kept bound per endpoint; past it, calls resolve their series each time. */
export const MAX_BOUND_LABEL_SETS = 2000;

/**
 * Worker metrics with per-call labels: each distinct set of label values is resolved once and
 * its WorkerMetrics reused, so a labelled call costs one map lookup more than a fixed one.
 */
export class WorkerMetricsVec {
  private readonly families: WorkerMetricFamilies;
  private readonly bound = new Map<string, WorkerMetrics>();

  /** `options.labelNames` must name at least one label. */
  constructor(
    level: MetricsLevel,
    options: WorkerMetricsOptions & { labelNames: readonly string[] },
  ) {
    this.families = new WorkerMetricFamilies(level, options);
  }

  get labelNames(): readonly string[] {
    return this.families.labelNames;
  }

  /** Full name of the `requests_total` family (where overflowed label sets are counted). */
  get metricName(): string {
    return this.families.requestsName;
  }

  /** The metrics of one set of label values, in `labelNames` order. */
  labels(values: readonly string[]): WorkerMetrics {
    // Length-prefixed: two different value lists never share a key.
    const key = values.length === 1 ? values[0]! : values.map((v) => `${v.length}:${v}`).join('');
    let metrics = this.bound.get(key);
    if (metrics === undefined) {
      metrics = new WorkerMetrics(this.families.bind(values));
      if (this.bound.size < MAX_BOUND_LABEL_SETS) this.bound.set(key, metrics);
    }
    return metrics;
  }
}
