import { Registry } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../constants';
import { familyName } from './text-format';

/** The subset of prom-client's metric interface that its Registry uses for exposition. */
export interface ExposableMetric {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): unknown;
  getForPromString?(): unknown;
  reset(): void;
}

interface MetricData {
  name: string;
  type: string;
}

type Formatter = { getMetricsAsString(metric: { get(): unknown }): Promise<string> };

const formatters = new Map<string, Formatter>();

/** One empty Registry per format, used only for its per-metric formatting. */
function formatter(openMetrics: boolean): Formatter {
  const type = openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
  let registry = formatters.get(type);
  if (!registry) {
    // prom-client's typings omit the constructor's content-type argument and this method.
    registry = new (Registry as unknown as new (type: string) => Formatter)(type);
    formatters.set(type, registry);
  }
  return registry;
}

/**
 * A metric that is not the package's own (prom-client's global registry, cluster aggregates),
 * formatted by prom-client itself. Its Registry renames OpenMetrics counters by rewriting the
 * metric object's name in place; here only a copy of the fetched data is renamed.
 */
export async function promMetricText(
  metric: ExposableMetric,
  openMetrics: boolean,
  fetch?: () => unknown,
): Promise<string> {
  let data = (await (fetch
    ? fetch()
    : typeof metric.getForPromString === 'function'
      ? metric.getForPromString()
      : metric.get())) as MetricData;
  if (openMetrics && data.type === 'counter') {
    data = { ...data, name: familyName(data.name, data.type, true) };
  }
  const text = await formatter(openMetrics).getMetricsAsString({ get: () => data });
  return text + '\n';
}
