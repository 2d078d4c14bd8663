import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import { MetricFamily } from './family';
import { wellFormed } from './label-value';
import { HistogramSeries } from './histogram-series';
import { AnySeries, CounterSeries, GaugeSeries } from './series';

export type LabelValue = string | number;
/** The values of a series' variable labels, by label name, for `.labels({...})`. */
export type LabelValues = Record<string, LabelValue>;

/**
 * A metric with variable labels. `labels()` returns the bound series for one set of values:
 * keep it (for example in a field) and update it directly on hot paths.
 */
export class MetricVec<S extends AnySeries> {
  /**
   * For each label of the family, in family order: a fixed value (hierarchy or constant label)
   * or the index of the variable label that supplies it.
   */
  private readonly slots: ReadonlyArray<string | number>;
  /** Positions (in family order) of the variable labels: the ones a series budget limits. */
  private readonly variable: readonly number[];

  constructor(
    private readonly family: MetricFamily,
    fixed: Readonly<Record<string, string>>,
    /** Variable label names, in the order positional `labels()` arguments use. */
    readonly labelNames: readonly string[],
    private readonly path: readonly string[],
  ) {
    this.slots = family.definition.labelNames.map((name) =>
      Object.hasOwn(fixed, name) ? fixed[name]! : labelNames.indexOf(name),
    );
    this.variable = this.slots.flatMap((slot, i) => (typeof slot === 'number' ? [i] : []));
  }

  get name(): string {
    return this.family.name;
  }

  /** `labels({ model: 'a' })` or positional `labels('a')`. */
  labels(...args: [LabelValues] | LabelValue[]): S {
    return this.family.resolve(this.values(args), this.path, this.variable) as S;
  }

  /** Forgets one series (for label values that will not come back). */
  remove(...args: [LabelValues] | LabelValue[]): boolean {
    return this.family.remove(this.values(args));
  }

  /** Resets every series this handle created. */
  reset(): void {
    for (const s of this.ownSeries()) s.reset();
  }

  private *ownSeries(): Iterable<AnySeries> {
    const names = this.family.definition.labelNames;
    for (const s of this.family.series) {
      if (this.slots.every((slot, i) => typeof slot !== 'string' || s.labels[names[i]!] === slot)) {
        yield s;
      }
    }
  }

  private values(args: [LabelValues] | LabelValue[]): string[] {
    const names = this.labelNames;
    let vars: LabelValue[];
    const first = args[0];
    if (args.length === 1 && typeof first === 'object' && first !== null) {
      const given = first as LabelValues;
      for (const key of Object.keys(given)) {
        if (!names.includes(key)) {
          throw new DynamoMetricsError(MESSAGES.unknownLabel(this.name, key, names));
        }
      }
      vars = names.map((n) => {
        if (!Object.hasOwn(given, n))
          throw new DynamoMetricsError(MESSAGES.missingLabel(this.name, n, names));
        return given[n]!;
      });
    } else {
      if (args.length !== names.length) {
        throw new DynamoMetricsError(MESSAGES.wrongLabelCount(this.name, names, args.length));
      }
      vars = args as LabelValue[];
    }
    for (let i = 0; i < vars.length; i++) {
      const v = vars[i];
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw new DynamoMetricsError(MESSAGES.invalidLabelValue(this.name, names[i]!, v));
      }
    }
    return this.slots.map((slot) =>
      typeof slot === 'string' ? slot : wellFormed(String(vars[slot])),
    );
  }
}

/** What `createCounterVec()` returns: `.labels({...})` gives the counter of those values. */
export type CounterVec = MetricVec<CounterSeries>;
/** What `createGaugeVec()` returns: `.labels({...})` gives the gauge of those values. */
export type GaugeVec = MetricVec<GaugeSeries>;
/** What `createHistogramVec()` returns: `.labels({...})` gives the histogram of those values. */
export type HistogramVec = MetricVec<HistogramSeries>;
