import { Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import { collectMetrics } from './collect';
import { OPENMETRICS_CONTENT_TYPE } from './constants';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import { assertContentType } from './exposition';
import type { MetricFamily } from './family';
import { ExposableMetric, PromMetricData, promDataVisitor } from './prom-data';
import { expositionText, renderExposition } from './render/render-exposition';
import type { MetricStore } from './store';

/**
 * prom-client compatibility, all of it: the runtime as a prom-client `Registry`. Nothing is
 * formatted or read here that the package's own output does not format and read the same way.
 */

type Metrics = ReturnType<Registry['getMetricsAsArray']>;

const readOnly = (what: string): DynamoMetricsError =>
  new DynamoMetricsError(MESSAGES.readOnlyPromRegistry(what));

const views = new WeakMap<MetricFamily, ExposableMetric>();

/** A family as a prom-client metric: `get()` reads it through the one collection path. */
function promMetric(family: MetricFamily): ExposableMetric {
  let view = views.get(family);
  if (!view) {
    view = {
      name: family.name,
      help: family.help,
      type: family.type,
      get aggregator() {
        return family.aggregator;
      },
      get: async () => {
        const out: PromMetricData[] = [];
        await collectMetrics([{ family }], promDataVisitor(out));
        return out[0]!;
      },
      reset: () => family.reset(),
    };
    views.set(family, view);
  }
  return view;
}

/**
 * A live, read-only prom-client `Registry` view of one runtime's metric families: families created
 * later appear in it too. Works with `metrics()` (both formats), `getMetricsAsJSON()`,
 * `Registry.merge()` and prom-client's `AggregatorRegistry`; its text is the runtime's own.
 */
export class RuntimePromRegistry extends Registry {
  constructor(private readonly runtimeStore: MetricStore) {
    super();
  }

  override getMetricsAsArray(): Metrics {
    return [...this.runtimeStore.all()].map(promMetric) as unknown as Metrics;
  }

  override getSingleMetric<T extends string>(name: string): Metric<T> | undefined {
    const family = this.runtimeStore.get(name);
    return family && (promMetric(family) as unknown as Metric<T>);
  }

  override metrics(): Promise<string> {
    const contentType = assertContentType(this.contentType);
    return expositionText(renderExposition(contentType, this.runtimeStore.sources([], false)));
  }

  /** One family's lines, without the separator or `# EOF` a whole exposition ends with. */
  override async getSingleMetricAsString(name: string): Promise<string> {
    const family = this.runtimeStore.get(name);
    if (!family) throw new DynamoMetricsError(MESSAGES.noSuchMetric(name));
    const contentType = assertContentType(this.contentType);
    const text = await expositionText(renderExposition(contentType, [{ family }]));
    return text.slice(0, contentType === OPENMETRICS_CONTENT_TYPE ? -'\n# EOF\n'.length : -1);
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
}
