import { labelSetKey, PromMetricData } from '../../core';
import {
  CollectionTimes,
  DataEnums,
  histogramPoint,
  MetricData,
  metricData,
} from './otlp-metric-data';

const attributesOf = (labels: Record<string, string | number> = {}, without?: string) => {
  const out: Record<string, string> = {};
  for (const name in labels) if (name !== without) out[name] = String(labels[name]);
  return out;
};

/**
 * A metric that is not the package's own (prom-client's global registry: willsoto's and plain
 * prom-client metrics, default process metrics) as OTLP metrics, with the same sample names
 * and labels as on `/metrics`. A summary has no place in the SDK's data model: its quantiles
 * become a gauge of its name with a `quantile` attribute, and its `_sum` and `_count` gauges of
 * their own, which a collector writes back to Prometheus under the same names.
 */
export function promClientMetricData(
  data: PromMetricData,
  times: CollectionTimes,
  enums: DataEnums,
): MetricData[] {
  if (data.type === 'histogram') return [histogramData(data, times, enums)];
  const main = metricData(data.name, data.help, data.type, enums);
  if (data.type !== 'summary') {
    for (const { labels, value } of data.values ?? []) {
      main.dataPoints.push({ ...times, attributes: attributesOf(labels), value });
    }
    return [main];
  }
  const sum = metricData(`${data.name}_sum`, data.help, 'gauge', enums);
  const count = metricData(`${data.name}_count`, data.help, 'gauge', enums);
  for (const { labels, value, metricName } of data.values ?? []) {
    const into =
      metricName === sum.descriptor.name
        ? sum
        : metricName === count.descriptor.name
          ? count
          : main;
    into.dataPoints.push({ ...times, attributes: attributesOf(labels), value });
  }
  return [main, sum, count];
}

/** prom-client's cumulative `_bucket{le}`, `_sum` and `_count` samples, grouped by series. */
function histogramData(data: PromMetricData, times: CollectionTimes, enums: DataEnums) {
  const out = metricData(data.name, data.help, 'histogram', enums);
  const series = new Map<
    string,
    {
      attributes: Record<string, string>;
      bounds: number[];
      cumulative: number[];
      sum: number;
      count: number;
    }
  >();
  for (const { labels, value, metricName } of data.values ?? []) {
    const attributes = attributesOf(labels, 'le');
    const key = labelSetKey(attributes);
    let s = series.get(key);
    if (!s) series.set(key, (s = { attributes, bounds: [], cumulative: [], sum: 0, count: 0 }));
    if (metricName === `${data.name}_sum`) s.sum = value;
    else if (metricName === `${data.name}_count`) s.count = value;
    else if (labels?.le !== '+Inf') {
      s.bounds.push(Number(labels?.le));
      s.cumulative.push(value);
    }
  }
  for (const s of series.values()) {
    out.dataPoints.push(
      histogramPoint(times, s.attributes, s.bounds, s.cumulative, s.count, s.sum),
    );
  }
  return out;
}
