import { Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE } from './constants';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import type { MetricFamily } from './family';
import type { MetricStore } from './store';

type Metrics = ReturnType<Registry['getMetricsAsArray']>;

const readOnly = (what: string): DynamoMetricsError =>
  new DynamoMetricsError(MESSAGES.readOnlyPromRegistry(what));

/**
 * A live prom-client `Registry` view of one runtime's metric families: families created later
 * appear in it too. Families implement prom-client's metric interface (get() returns full labels),
 * so the view works with `getMetricsAsJSON()`, `Registry.merge()` and prom-client's
 * `AggregatorRegistry.setRegistries()`. It renders Prometheus text only: prom-client renames
 * counters in place when it renders OpenMetrics, which would corrupt the families; use
 * `runtime.prometheusMetricsFmt(OPENMETRICS_CONTENT_TYPE)` for OpenMetrics.
 */
export class RuntimePromRegistry extends Registry {
  constructor(private readonly runtimeStore: MetricStore) {
    super();
  }

  override getMetricsAsArray(): Metrics {
    return [...this.runtimeStore.all()] as unknown as Metrics;
  }

  override getSingleMetric<T extends string>(name: string): Metric<T> | undefined {
    return this.runtimeStore.get(name) as unknown as Metric<T> | undefined;
  }

  override getSingleMetricAsString(name: string): Promise<string> {
    const family = this.runtimeStore.get(name);
    if (!family) return Promise.reject(new DynamoMetricsError(MESSAGES.noSuchMetric(name)));
    return (
      this as unknown as { getMetricsAsString(m: MetricFamily): Promise<string> }
    ).getMetricsAsString(family);
  }

  override registerMetric(): void {
    throw readOnly('registerMetric()');
  }

  override removeSingleMetric(): void {
    throw readOnly('removeSingleMetric()');
  }

  override clear(): void {
    throw readOnly('clear()');
  }

  override resetMetrics(): void {
    for (const family of this.runtimeStore.all()) family.reset();
  }

  override setContentType(contentType: Parameters<Registry['setContentType']>[0]): void {
    if ((contentType as string) === OPENMETRICS_CONTENT_TYPE) {
      throw new DynamoMetricsError(MESSAGES.promRegistryNoOpenMetrics());
    }
    super.setContentType(contentType);
  }
}
