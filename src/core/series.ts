import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import type { HistogramSeries } from './histogram-series';

/** Label values of one series, frozen: prom-client caches its formatted text by object identity. */
export type SeriesLabels = Readonly<Record<string, string>>;

/**
 * A bound series: one set of label values, resolved once. Updating it touches plain fields only,
 * with no label hashing and no allocation, which is what keeps the per-call cost in nanoseconds.
 */
export abstract class BaseSeries {
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

export type AnySeries = CounterSeries | GaugeSeries | HistogramSeries;
