import { MESSAGES } from '../core.messages';
import { DynamoMetricsError } from '../dynamo-metrics.error';
import { labelSetKey, tupleKey } from '../label-key';
import type { ExposableMetric } from '../prom-data';
import { aggregatorFn } from './cluster-aggregators';
import type { WireMetric, WireValue } from './cluster.protocol';

const decode = (value: number | string): number =>
  typeof value === 'number' ? value : Number(value);

/** Exact identity of a sample: its metric name and its label set. */
const sampleKey = (v: WireValue): string => tupleKey([v.metricName ?? '', labelSetKey(v.labels)]);

/** Metric types whose values only grow: a dead worker's last values are kept (see retain). */
const CUMULATIVE = new Set(['counter', 'histogram']);

/**
 * What stays of a worker that went away: its counters and histograms as last collected, summed
 * into `retained` (gauges leave with it). Adding them to later collections keeps the merged
 * counters monotonic, so Prometheus sees no reset when a worker dies or is replaced.
 */
export function retain(retained: readonly WireMetric[], last: readonly WireMetric[]): WireMetric[] {
  const kept = last.filter((m) => CUMULATIVE.has(m.type) && (m.aggregator ?? 'sum') === 'sum');
  return mergeWire([retained as WireMetric[], kept]);
}

/** `aggregateWorkerMetrics` in the wire format (sum only), for the retained values. */
function mergeWire(perWorker: readonly WireMetric[][]): WireMetric[] {
  return aggregateWorkerMetrics(perWorker).map((m) => {
    const data = m.get() as WireMetric;
    return {
      name: data.name,
      help: data.help,
      type: data.type,
      aggregator: 'sum',
      values: data.values ?? [],
    };
  });
}

/**
 * Merges the workers' metrics: per metric name, samples with the same name and label set are
 * combined with the metric's aggregator (`sum` when none is given; `omit` drops the metric).
 */
export function aggregateWorkerMetrics(perWorker: readonly WireMetric[][]): ExposableMetric[] {
  const byName = new Map<string, WireMetric[]>();
  for (const metrics of perWorker) {
    for (const m of metrics) {
      const group = byName.get(m.name);
      if (group) group.push(m);
      else byName.set(m.name, [m]);
    }
  }
  const out: ExposableMetric[] = [];
  for (const [name, group] of byName) {
    const first = group[0]!;
    const aggregatorName = first.aggregator ?? 'sum';
    const fn = aggregatorFn(aggregatorName);
    if (fn === undefined) {
      throw new DynamoMetricsError(MESSAGES.undefinedAggregator(name, aggregatorName));
    }
    if (!fn) continue;
    const samples = new Map<string, { sample: WireValue; values: number[] }>();
    for (const m of group) {
      for (const v of m.values ?? []) {
        const key = sampleKey(v);
        const entry = samples.get(key);
        if (entry) entry.values.push(decode(v.value));
        else samples.set(key, { sample: v, values: [decode(v.value)] });
      }
    }
    const values = [...samples.values()].map(({ sample, values: vs }) => ({
      labels: sample.labels ?? {},
      value: fn(vs),
      ...(sample.metricName ? { metricName: sample.metricName } : {}),
    }));
    const data = { name, help: first.help, type: first.type, aggregator: aggregatorName, values };
    out.push({
      name,
      help: first.help,
      type: first.type,
      aggregator: aggregatorName,
      get: () => data,
      reset: () => undefined,
    });
  }
  return out;
}
