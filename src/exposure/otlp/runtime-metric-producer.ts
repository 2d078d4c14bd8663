import {
  AnySeries,
  collectMetrics,
  DistributedRuntime,
  FamilySnapshot,
  MetricFamily,
  MetricVisitor,
  PromMetricData,
  readHistograms,
  runtimeSources,
} from '../../core';
import type { MetricProducer } from './otlp-sdk';
import {
  CollectionTimes,
  DataEnums,
  DataPoint,
  HistogramValue,
  histogramPoint,
  hrTime,
  HrTime,
  MetricData,
  metricData,
  PROCESS_START,
  setHistogram,
} from './otlp-metric-data';
import { promClientMetricData } from './prom-client-metric';

/** The instrumentation scope of every metric pushed (Dynamo names its own the same way). */
export const OTLP_SCOPE = { name: 'nestjs-dynamo-metrics' };

type Point = DataPoint<number> | DataPoint<HistogramValue>;

/**
 * The runtime's metrics as an OpenTelemetry `MetricProducer`, which a reader of the metrics SDK
 * collects at every export. It reads what `/metrics` reads, through the core's one collection
 * entry: the same families and series, each family as it was when its collection began, the
 * global registry included when the runtime includes it, and it yields to the event loop every
 * slice as a scrape does. Exemplars stay on `/metrics`: the SDK's data points have no field for
 * them, nor do its exporters.
 *
 * Each series keeps its data point from one export to the next, refreshed in place (exports
 * never overlap: the reader runs one at a time, and its exporter encodes a request when it is
 * handed one). A fresh set of 10,000 points per export lived through the whole export and made
 * every young-generation collection meanwhile copy it: pauses of several ms (README,
 * "Performance").
 */
export class RuntimeMetricProducer implements MetricProducer {
  private readonly points = new WeakMap<AnySeries, Point>();

  constructor(
    private readonly runtime: DistributedRuntime,
    private readonly enums: DataEnums,
    /** The reader keeps the MeterProvider's resource; this one is never sent. */
    private readonly resource: unknown,
    /** Called as each collection (the start of an export) begins. */
    private readonly onCollect?: () => void,
  ) {}

  async collect(): Promise<{ resourceMetrics: unknown; errors: unknown[] }> {
    this.onCollect?.();
    const times: CollectionTimes = {
      startTime: PROCESS_START,
      endTime: hrTime(performance.timeOrigin + performance.now()),
    };
    const metrics: MetricData[] = [];
    await collectMetrics(runtimeSources(this.runtime), this.visitor(metrics, times));
    return {
      resourceMetrics: {
        resource: this.resource,
        // A family without series shows no sample on /metrics either.
        scopeMetrics: [{ scope: OTLP_SCOPE, metrics: metrics.filter((m) => m.dataPoints.length) }],
      },
      errors: [],
    };
  }

  private visitor(metrics: MetricData[], times: CollectionTimes): MetricVisitor {
    const { enums, points } = this;
    const endTime: HrTime = times.endTime;
    let current: MetricData | undefined;
    return {
      family(family: MetricFamily) {
        current = metricData(family.name, family.help, family.type, enums);
        metrics.push(current);
      },
      series(family: MetricFamily, snap: FamilySnapshot, from: number, to: number) {
        const out = current!.dataPoints;
        const { series, values } = snap;
        if (family.type !== 'histogram') {
          for (let k = from; k < to; k++) {
            const s = series[k]!;
            let point = points.get(s) as DataPoint<number> | undefined;
            if (!point) points.set(s, (point = { ...times, attributes: s.labels, value: 0 }));
            point.endTime = endTime;
            point.value = values[k]!;
            out.push(point);
          }
          return;
        }
        const bounds = family.definition.buckets!;
        const n = bounds.length;
        // Cumulative finite buckets, then count and sum, as the family showed them at `epoch`.
        readHistograms(snap, from, to, (s) => {
          let point = points.get(s) as DataPoint<HistogramValue> | undefined;
          if (!point) {
            points.set(
              s,
              (point = histogramPoint(times, s.labels, bounds, values, values[n]!, values[n + 1]!)),
            );
          } else {
            point.endTime = endTime;
            setHistogram(point.value, values, values[n]!, values[n + 1]!);
          }
          out.push(point);
        });
      },
      async metric(metric) {
        const data = (await metric.get()) as PromMetricData;
        metrics.push(...promClientMetricData(data, times, enums));
      },
    };
  }
}
