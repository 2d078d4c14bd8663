import { MetricVisitor, readHistograms } from './collect';

/**
 * prom-client's data shape (what its `metric.get()` returns, lib/registry.js): how metrics that
 * are not the package's own arrive (prom-client registries), how cluster workers send theirs and
 * what the `promRegistry()` view hands to prom-client tooling. One writer formats it
 * (render/prom-data-writer.ts), the same byte writer as the package's own families.
 */
export interface PromSample {
  labels?: Record<string, string | number>;
  /** prom-client's fast path (`getForPromString()`): labels shared by a series' samples. */
  sharedLabels?: Record<string, string | number>;
  value: number;
  metricName?: string;
  exemplar?: { labelSet: Record<string, string | number>; value: number; timestamp: unknown };
}

export interface PromMetricData {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values?: PromSample[];
}

/** The part of prom-client's metric interface that reading one takes. */
export interface ExposableMetric {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): unknown;
  getForPromString?(): unknown;
  reset(): void;
}

/**
 * A visitor that reads every metric of a collection into `out` in prom-client's data shape, full
 * labels on every sample (histograms: `_bucket{le}`, `_sum`, `_count`, as prom-client's `get()`).
 */
export function promDataVisitor(out: PromMetricData[]): MetricVisitor {
  let current: PromSample[] = [];
  return {
    family({ name, help, type, aggregator }) {
      current = [];
      out.push({ name, help, type, aggregator, values: current });
    },
    series(family, snap, from, to) {
      const { series, values } = snap;
      if (family.type !== 'histogram') {
        for (let k = from; k < to; k++) {
          const labels = { ...series[k]!.labels };
          current.push({ labels, value: values[k]!, metricName: undefined });
        }
        return;
      }
      const { name } = family;
      const bounds = family.definition.buckets!;
      const n = bounds.length;
      readHistograms(snap, from, to, (s) => {
        for (let i = 0; i <= n; i++) {
          const labels = { le: i < n ? bounds[i]! : '+Inf', ...s.labels };
          current.push({ labels, value: values[i]!, metricName: `${name}_bucket` });
        }
        current.push({ labels: { ...s.labels }, value: values[n + 1]!, metricName: `${name}_sum` });
        current.push({ labels: { ...s.labels }, value: values[n]!, metricName: `${name}_count` });
      });
    },
    async metric(metric) {
      out.push((await metric.get()) as PromMetricData);
    },
  };
}
