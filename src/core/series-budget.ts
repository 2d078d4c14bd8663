import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';

/** The value every variable label of an overflow series reads. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';
/** Series per metric with variable labels; the default of OpenTelemetry's SDK too. */
export const DEFAULT_MAX_SERIES = 2000;
/** Label values longer than this (UTF-16 code units, as JavaScript counts) overflow. */
export const DEFAULT_MAX_LABEL_VALUE_LENGTH = 256;
/** Name (after the runtime prefix) of the counter of overflowed label sets, per metric. */
export const SERIES_OVERFLOW_METRIC = 'series_overflow_total';
export const SERIES_OVERFLOW_HELP =
  'Label lookups recorded in a metric\u2019s __overflow__ series (series budget reached, label value too long, or value not allowed), by metric';

/**
 * Why a label set went to the overflow series: the metric's series budget was full, a value was
 * longer than the limit, (models) the value is not on the allowed list, or (client-supplied
 * models) the value is missing, blank, not a string or the overflow marker itself.
 */
export type SeriesOverflowReason =
  'series-budget' | 'value-length' | 'not-allowed' | 'invalid-value';

export interface SeriesOverflowEvent {
  /** Full name of the metric whose label set overflowed. */
  metric: string;
  reason: SeriesOverflowReason;
  /** The limit that was reached (series, characters or models). */
  limit: number;
  /** The label whose values are budgeted on their own (the frontend's `model`), if any. */
  label?: string;
  /** The counter of overflowed lookups, e.g. `dynamo_series_overflow_total`. */
  counter?: string;
}

export interface SeriesBudgetOptions {
  /** Series per metric with variable labels. Default 2,000. */
  maxSeries?: number;
  /** Per-metric budgets by full metric name, overriding `maxSeries`. */
  maxSeriesPerMetric?: Readonly<Record<string, number>>;
  /** Longest label value kept as is; longer ones overflow. Default 256. */
  maxLabelValueLength?: number;
  /** Called once per metric, the first time one of its label sets overflows (e.g. to log). */
  onSeriesOverflow?: (event: SeriesOverflowEvent) => void;
}

/** What a family needs to decide whether a new label set gets a series of its own. */
export interface FamilyBudget {
  readonly maxSeries: number;
  readonly maxLabelValueLength: number;
  overflowed(reason: SeriesOverflowReason): void;
}

function positiveInteger(option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new DynamoMetricsError(MESSAGES.invalidBudget(option, value));
}

/**
 * The series limits of one runtime. It counts every overflowed lookup through `count` (the
 * runtime's `series_overflow_total{metric}`) and reports each metric's first overflow once.
 */
export class SeriesBudget {
  readonly maxSeries: number;
  readonly maxLabelValueLength: number;
  private readonly perMetric: ReadonlyMap<string, number>;
  private readonly reported = new Set<string>();

  constructor(
    private readonly options: SeriesBudgetOptions,
    /** Full name of the counter `count` increments. */
    readonly counterName: string,
    private readonly count: (metric: string) => void,
  ) {
    this.maxSeries = positiveInteger('maxSeries', options.maxSeries ?? DEFAULT_MAX_SERIES);
    this.maxLabelValueLength = positiveInteger(
      'maxLabelValueLength',
      options.maxLabelValueLength ?? DEFAULT_MAX_LABEL_VALUE_LENGTH,
    );
    const perMetric = options.maxSeriesPerMetric ?? {};
    if (typeof perMetric !== 'object' || perMetric === null || Array.isArray(perMetric)) {
      throw new DynamoMetricsError(MESSAGES.invalidBudget('maxSeriesPerMetric', perMetric));
    }
    this.perMetric = new Map(
      Object.entries(perMetric).map(([name, n]) => [
        name,
        positiveInteger(`maxSeriesPerMetric["${name}"]`, n),
      ]),
    );
  }

  /** The budget of one metric family. */
  forMetric(metric: string): FamilyBudget {
    const maxSeries = this.perMetric.get(metric) ?? this.maxSeries;
    const { maxLabelValueLength } = this;
    return {
      maxSeries,
      maxLabelValueLength,
      overflowed: (reason) =>
        this.overflowed({
          metric,
          reason,
          limit: reason === 'value-length' ? maxLabelValueLength : maxSeries,
        }),
    };
  }

  /** Counts one overflowed lookup of `event.metric`; the first one per metric is reported. */
  overflowed(event: SeriesOverflowEvent): void {
    this.count(event.metric);
    if (this.reported.has(event.metric)) return;
    this.reported.add(event.metric);
    this.options.onSeriesOverflow?.({ ...event, counter: this.counterName });
  }
}
