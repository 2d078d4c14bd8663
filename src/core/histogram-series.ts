import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import { BucketExemplar, ExemplarLabels, ExemplarText, keepExemplar, toExemplar } from './exemplar';
import type { RenderGate } from './render-gate';
import { BaseSeries, SeriesLabels } from './series';

/** What `HistogramSeries.get()` returns. */
export interface HistogramSnapshot {
  /** Cumulative counts per upper bound, +Inf last. */
  buckets: Record<string, number>;
  count: number;
  sum: number;
}

/** One histogram series: `observe()` a value, or time a span with `startTimer()`. */
export class HistogramSeries extends BaseSeries {
  /** @internal non-cumulative counts; the last slot is +Inf. Cumulated at scrape time. */
  readonly counts: Float64Array;
  /** @internal read it through `get()` */
  sum = 0;
  /** @internal read it through `get()` */
  count = 0;

  /** Its state when the render epoch `keptFor` opened: counts, then count, then sum. */
  private kept?: Float64Array;
  private keptFor = 0;

  constructor(
    metricName: string,
    labels: SeriesLabels,
    path: readonly string[],
    integer: boolean,
    /** The buckets' upper bounds, increasing (+Inf is implied). */
    readonly bounds: Float64Array,
    /** The family's renders in progress (copy on write while one reads). */
    private readonly gate: RenderGate,
  ) {
    super(metricName, labels, path, integer);
    this.counts = new Float64Array(bounds.length + 1);
  }

  /**
   * The most recent exemplar of each bucket (client_golang's rule), +Inf last; allocated at the
   * first exemplar, so histograms that never get one pay nothing.
   * @internal
   */
  exemplars?: Array<BucketExemplar | undefined>;

  /**
   * Records `value`; `exemplar` (labels such as `{ trace_id, span_id }`, at most 128 characters
   * in all) links it to a trace in the OpenMetrics output.
   */
  observe(value: number, exemplar?: ExemplarLabels | ExemplarText): void {
    this.observeAt(value, exemplar, undefined);
  }

  /**
   * @internal `observe()` for the package's recorders, which read the clock already: `at` is
   * the `performance.now()` the value was measured at, kept as the exemplar's time.
   */
  observeAt(
    value: number,
    exemplar: ExemplarLabels | ExemplarText | undefined,
    at: number | undefined,
  ): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new DynamoMetricsError(MESSAGES.notANumber(this.metricName, 'observe', value));
    }
    this.beforeChange();
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    while (i < n && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
    if (exemplar !== undefined) {
      const checked = toExemplar(this.metricName, exemplar);
      const time = at ?? performance.now();
      this.exemplars = keepExemplar(this.exemplars, i, value, checked, time, this.counts.length);
    }
  }

  /**
   * Starts a timer; calling the returned function observes the elapsed seconds (with an
   * exemplar, if given) and returns them.
   */
  startTimer(): (exemplar?: ExemplarLabels | ExemplarText) => number {
    const start = performance.now();
    return (exemplar) => {
      const now = performance.now();
      const seconds = (now - start) / 1000;
      this.observeAt(seconds, exemplar, now);
      return seconds;
    };
  }

  /** Cumulative bucket counts, count and sum, as a scrape would read them now. */
  get(): HistogramSnapshot {
    const buckets: Record<string, number> = {};
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      acc += this.counts[i]!;
      buckets[String(this.bounds[i])] = acc;
    }
    buckets['+Inf'] = this.count;
    return { buckets, count: this.count, sum: this.sum };
  }

  /** While a render reads the family, keeps the state it shows (once per render epoch). */
  private beforeChange(): void {
    const epoch = this.gate.epoch;
    if (epoch === 0 || epoch === this.keptFor) return;
    const n = this.counts.length;
    const kept = (this.kept ??= new Float64Array(n + 2));
    kept.set(this.counts);
    kept[n] = this.count;
    kept[n + 1] = this.sum;
    this.keptFor = epoch;
  }

  /**
   * Writes the state at render epoch `epoch` (what it was when the epoch opened) into `into`:
   * the cumulative counts of the finite buckets, the count (the +Inf bucket), the sum. True
   * when that is the live state (the series has not changed since the epoch opened).
   * @internal
   */
  copyAt(epoch: number, into: Float64Array): boolean {
    const kept = this.keptFor === epoch ? this.kept! : undefined;
    const counts = kept ?? this.counts;
    const n = this.bounds.length;
    let acc = 0;
    for (let i = 0; i < n; i++) into[i] = acc += counts[i]!;
    // Kept: the n + 1 counts (+Inf last), then count, then sum.
    into[n] = kept ? kept[n + 1]! : this.count;
    into[n + 1] = kept ? kept[n + 2]! : this.sum;
    return kept === undefined;
  }

  /** Every bucket, the count and the sum back to 0. */
  reset(): void {
    this.beforeChange();
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.exemplars = undefined;
  }
}
