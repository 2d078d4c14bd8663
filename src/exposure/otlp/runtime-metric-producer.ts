import {
  collectRuntime,
  DistributedRuntime,
  FamilySnapshot,
  HistogramSeries,
  MetricFamily,
  MetricVisitor,
} from '../../core';
import type { MetricProducer } from './otlp-sdk';
import {
  CollectionTimes,
  DataEnums,
  histogramPoint,
  hrTime,
  MetricData,
  metricData,
  PROCESS_START,
} from './otlp-metric-data';
import { PromMetricValues, promClientMetricData } from './prom-client-metric';

/** The instrumentation scope of every metric pushed (Dynamo names its own the same way). */
export const OTLP_SCOPE = { name: 'nestjs-dynamo-metrics' };

/**
 * The runtime's metrics as an OpenTelemetry `MetricProducer`, which a reader of the metrics SDK
 * collects at every export. It reads what `/metrics` reads, through the core's one collection
 * entry: the same families and series, each family as it was when its collection began, the
 * global registry included when the runtime includes it, and it yields to the event loop every
 * slice as a scrape does.
 */
export class RuntimeMetricProducer implements MetricProducer {
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
    await collectRuntime(this.runtime, this.visitor(metrics, times));
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
    const { enums } = this;
    let current: MetricData | undefined;
    return {
      family(family: MetricFamily) {
        current = metricData(family.name, family.help, family.type, enums);
        metrics.push(current);
      },
      series(family: MetricFamily, snap: FamilySnapshot, from: number, to: number) {
        const points = current!.dataPoints;
        const { series, values, epoch, filter } = snap;
        if (family.type !== 'histogram') {
          for (let k = from; k < to; k++) {
            points.push({ ...times, attributes: series[k]!.labels, value: values[k]! });
          }
          return;
        }
        const bounds = family.definition.buckets!;
        const n = bounds.length;
        for (let k = from; k < to; k++) {
          const s = series[k] as HistogramSeries;
          if (filter && !filter(s)) continue;
          // Cumulative finite buckets, then count and sum, as the family showed them at `epoch`.
          s.copyAt(epoch, values);
          points.push(histogramPoint(times, s.labels, bounds, values, values[n]!, values[n + 1]!));
        }
      },
      async metric(metric, fetch) {
        const data = (await (fetch ? fetch() : metric.get())) as PromMetricValues;
        metrics.push(...promClientMetricData(data, times, enums));
      },
    };
  }
}
