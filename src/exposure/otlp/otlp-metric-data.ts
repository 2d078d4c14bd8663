/**
 * OpenTelemetry's metric data model (sdk-metrics 2.x `MetricData`), the shape its OTLP exporters
 * encode, and how Prometheus-style samples map onto it, as Dynamo's exporter maps them
 * (lib/runtime/src/metrics/otlp_export.rs): same names, help as the description, no unit, labels
 * as string attributes, counters as cumulative monotonic sums, gauges as gauges, histograms with
 * their bounds and per-bucket counts, all values as doubles, one start time per process.
 */

/** `[seconds, nanoseconds]` since the Unix epoch. */
export type HrTime = [number, number];

export interface HistogramValue {
  buckets: { boundaries: readonly number[]; counts: number[] };
  count: number;
  sum: number;
  hasMinMax: false;
}

export interface DataPoint<T> {
  startTime: HrTime;
  endTime: HrTime;
  attributes: Readonly<Record<string, string>>;
  value: T;
}

export interface MetricData {
  descriptor: { name: string; description: string; unit: string; valueType: number };
  dataPointType: number;
  aggregationTemporality: number;
  isMonotonic?: boolean;
  dataPoints: Array<DataPoint<number> | DataPoint<HistogramValue>>;
}

/** The SDK's enum values the data carries (read from the loaded SDK). */
export interface DataEnums {
  DataPointType: { HISTOGRAM: number; GAUGE: number; SUM: number };
  AggregationTemporality: { CUMULATIVE: number };
  doubleValue: number;
}

/** One collection's times: the process's start (fixed for its lifetime) and now. */
export interface CollectionTimes {
  startTime: HrTime;
  endTime: HrTime;
}

/** Milliseconds since the epoch, as HrTime. */
export function hrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}

/**
 * When this process started, fixed for its lifetime: every cumulative point starts there, so a
 * consumer never reads an export as a counter reset (Dynamo's rule).
 */
export const PROCESS_START: HrTime = hrTime(performance.timeOrigin);

/** An empty metric of a Prometheus type (`counter`, `gauge`, `histogram`; others: gauge). */
export function metricData(name: string, help: string, type: string, enums: DataEnums): MetricData {
  const { DataPointType, AggregationTemporality, doubleValue } = enums;
  const data: MetricData = {
    descriptor: { name, description: help, unit: '', valueType: doubleValue },
    dataPointType:
      type === 'counter'
        ? DataPointType.SUM
        : type === 'histogram'
          ? DataPointType.HISTOGRAM
          : DataPointType.GAUGE,
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPoints: [],
  };
  if (type === 'counter') data.isMonotonic = true;
  return data;
}

/**
 * A histogram point from Prometheus-style cumulative buckets: `cumulative[i]` is the count at
 * or below `boundaries[i]`; OTLP wants the count of each bucket, +Inf last, one more than the
 * bounds.
 */
export function histogramPoint(
  times: CollectionTimes,
  attributes: Readonly<Record<string, string>>,
  boundaries: readonly number[],
  cumulative: ArrayLike<number>,
  count: number,
  sum: number,
): DataPoint<HistogramValue> {
  const value: HistogramValue = {
    buckets: { boundaries, counts: new Array<number>(boundaries.length + 1) },
    count: 0,
    sum: 0,
    hasMinMax: false,
  };
  const point = { ...times, attributes, value };
  setHistogram(value, cumulative, count, sum);
  return point;
}

/** Writes cumulative buckets, count and sum into a histogram value, in place. */
export function setHistogram(
  value: HistogramValue,
  cumulative: ArrayLike<number>,
  count: number,
  sum: number,
): void {
  const counts = value.buckets.counts;
  const n = value.buckets.boundaries.length;
  let below = 0;
  for (let i = 0; i < n; i++) {
    counts[i] = cumulative[i]! - below;
    below = cumulative[i]!;
  }
  counts[n] = count - below;
  value.count = count;
  value.sum = sum;
}
