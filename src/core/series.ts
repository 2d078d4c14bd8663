import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import { BucketExemplar, ExemplarLabels, ExemplarText, keepExemplar, toExemplar } from './exemplar';
import type { RenderGate } from './render-gate';

/** Label values of one series, frozen: prom-client caches its formatted text by object identity. */
export type SeriesLabels = Readonly<Record<string, string>>;

/**
 * A bound series: one set of label values, resolved once. Updating it touches plain fields only,
 * with no label hashing and no allocation, which is what keeps the per-call cost in nanoseconds.
 */
abstract class BaseSeries {
  constructor(
    /** Full metric name, for error messages. */
    readonly metricName: string,
    /** Every label of the series: the level's, the constant ones and the `.labels()` values. */
    readonly labels: SeriesLabels,
    /** The level path the series belongs to (empty for runtime-level metrics). */
    readonly path: readonly string[],
    protected readonly integer: boolean,
  ) {}

  protected checkNumber(method: string, value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new DynamoMetricsError(MESSAGES.notANumber(this.metricName, method, value));
    }
    if (this.integer && !Number.isInteger(value)) {
      throw new DynamoMetricsError(MESSAGES.notAnInteger(this.metricName, method, value));
    }
  }

  abstract reset(): void;
}

/** One counter series: `inc()` only goes up; `reset()` is for tests. */
export class CounterSeries extends BaseSeries {
  /** @internal the package's recorders add to it directly (checked values only) */
  value = 0;

  /** Adds `amount` (default 1): a finite number >= 0, a whole one for `createIntCounter()`. */
  inc(amount?: number): void {
    if (amount === undefined) {
      this.value += 1;
      return;
    }
    // typeof first: '5' >= 0 holds, and '5' would concatenate; true would add 1.
    if (typeof amount !== 'number' || !(amount >= 0 && amount < Infinity)) {
      throw new DynamoMetricsError(MESSAGES.negativeIncrement(this.metricName, amount));
    }
    if (this.integer && !Number.isInteger(amount)) {
      throw new DynamoMetricsError(MESSAGES.notAnInteger(this.metricName, 'inc', amount));
    }
    const next = this.value + amount;
    if (next === Infinity) {
      throw new DynamoMetricsError(MESSAGES.counterOverflow(this.metricName, this.value, amount));
    }
    this.value = next;
  }

  /** The current value. */
  get(): number {
    return this.value;
  }

  /** Back to 0 (a counter reset, as a restart would be). */
  reset(): void {
    this.value = 0;
  }
}

/** One gauge series: a value that goes up and down. */
export class GaugeSeries extends BaseSeries {
  /** @internal the package's recorders update it directly (checked values only) */
  value = 0;

  /** Adds `amount` (default 1), a finite number. */
  inc(amount?: number): void {
    if (amount === undefined) {
      this.value += 1;
      return;
    }
    this.checkNumber('inc', amount);
    this.value += amount;
  }

  /** Subtracts `amount` (default 1), a finite number. */
  dec(amount?: number): void {
    if (amount === undefined) {
      this.value -= 1;
      return;
    }
    this.checkNumber('dec', amount);
    this.value -= amount;
  }

  /** Sets the value, a finite number. */
  set(value: number): void {
    this.checkNumber('set', value);
    this.value = value;
  }

  /** Sets the gauge to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.value = this.integer ? Math.floor(Date.now() / 1000) : Date.now() / 1000;
  }

  /** The current value. */
  get(): number {
    return this.value;
  }

  /** Back to 0. */
  reset(): void {
    this.value = 0;
  }
}

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

export type AnySeries = CounterSeries | GaugeSeries | HistogramSeries;
