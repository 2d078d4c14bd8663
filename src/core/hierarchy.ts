import { register as globalRegistry, Registry } from 'prom-client';
import { DEFAULT_PREFIX } from './constants';
import { CLUSTER_AGGREGATORS, ClusterAggregator } from './cluster/cluster-aggregators';
import type { MetricSource } from './collect';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import { MetricsLevel } from './level';
import {
  buildMetricName,
  sanitizeHierarchyName,
  validatePrefix,
  validateProcessLabels,
} from './naming';
import type { DistributedRuntimeOptions } from './distributed-runtime-options.interface';
import { namingProfile } from './naming-profile';
import { SeriesBudget, SERIES_OVERFLOW_METRIC } from './series-budget';
import type { SeriesOverflowEvent } from './series-budget';
import { RuntimePromRegistry } from './prom-registry';
import { MetricStore } from './store';

/** Caches children by sanitised name so the same name always gives the same object. */
class Children<T> {
  private readonly byName = new Map<string, T>();
  constructor(private readonly level: string) {}

  get(name: string, create: (clean: string) => T): T {
    const clean = sanitizeHierarchyName(this.level, name);
    let child = this.byName.get(clean);
    if (!child) {
      child = create(clean);
      this.byName.set(clean, child);
    }
    return child;
  }

  values(): IterableIterator<T> {
    return this.byName.values();
  }
}

/** A runtime-level view with its own name prefix (see DistributedRuntime.withPrefix). */
export class PrefixedLevel extends MetricsLevel {
  constructor(store: MetricStore, prefix: string, reserveHierarchyLabels: boolean) {
    super(store, prefix, [], { reserveHierarchyLabels });
  }
}

/** An endpoint of a component: its metrics carry `namespace`, `component` and `endpoint`. */
export class Endpoint extends MetricsLevel {
  /** @internal made by `component.endpoint(name)` */
  constructor(
    store: MetricStore,
    prefix: string,
    readonly component: Component,
    readonly name: string,
  ) {
    super(store, prefix, [...component.path, name]);
  }
}

/** A component of a namespace: its metrics carry `namespace` and `component`. */
export class Component extends MetricsLevel {
  private readonly endpoints = new Children<Endpoint>('endpoint');

  /** @internal made by `namespace.component(name)` */
  constructor(
    store: MetricStore,
    prefix: string,
    readonly namespace: Namespace,
    readonly name: string,
  ) {
    super(store, prefix, [...namespace.path, name]);
  }

  /** The endpoint `name` of this component, created on first use (names are sanitised). */
  endpoint(name: string): Endpoint {
    return this.endpoints.get(name, (clean) => new Endpoint(this.store, this.prefix, this, clean));
  }
}

/** A namespace of the runtime: its metrics carry `namespace`. */
export class Namespace extends MetricsLevel {
  private readonly components = new Children<Component>('component');

  /** @internal made by `runtime.namespace(name)` */
  constructor(
    store: MetricStore,
    prefix: string,
    readonly runtime: DistributedRuntime,
    readonly name: string,
  ) {
    super(store, prefix, [name]);
  }

  /** The component `name` of this namespace, created on first use (names are sanitised). */
  component(name: string): Component {
    return this.components.get(
      name,
      (clean) => new Component(this.store, this.prefix, this, clean),
    );
  }
}

const stores = new WeakMap<DistributedRuntime, MetricStore>();

/**
 * What `/metrics` reads of `runtime`, for `collectMetrics()` (the OTLP export, cluster workers):
 * its families, then the global registry when it is included, unless `foreign` is false.
 */
export function runtimeSources(
  runtime: DistributedRuntime,
  foreign = true,
): Iterable<MetricSource> {
  return stores.get(runtime)!.sources([], foreign);
}

/** The prom-client registry `runtime` includes in its output, if any. */
export function includedRegistry(runtime: DistributedRuntime): Registry | undefined {
  const { includeGlobalRegistry, globalRegistry } = stores.get(runtime)!.options;
  return includeGlobalRegistry ? globalRegistry : undefined;
}

/**
 * The root of the hierarchy. Each runtime owns its own metrics, so two runtimes (two Nest apps
 * in one process, or two tests) never collide.
 */
export class DistributedRuntime extends MetricsLevel {
  /** @internal the `performance.now()` of its creation */
  readonly startedAt = performance.now();
  private readonly namespaces = new Children<Namespace>('namespace');

  constructor(options: DistributedRuntimeOptions = {}) {
    const naming = namingProfile(options.naming);
    // The component profile's prefix is fixed: Dynamo's tools look for dynamo_component_*.
    const prefix = naming.hierarchyPrefix(() => validatePrefix(options.prefix ?? DEFAULT_PREFIX));
    const store = new MetricStore({
      naming,
      processLabels: validateProcessLabels(options.labels, naming.hierarchyLabels),
      includeGlobalRegistry: options.includeGlobalRegistry ?? false,
      globalRegistry: options.globalRegistry ?? globalRegistry,
      onMetricCreated: options.onMetricCreated,
      budget: options,
      overflowMetricName: buildMetricName(prefix, SERIES_OVERFLOW_METRIC),
    });
    super(store, prefix, []);
    stores.set(this, store);
  }

  /** The namespace `name`, created on first use (names are sanitised). */
  namespace(name: string): Namespace {
    return this.namespaces.get(name, (c) => new Namespace(this.store, this.prefix, this, c));
  }

  /**
   * Runtime-level metrics under another name prefix, in the same registry and output (e.g.
   * the LLM frontend's `nv_llm_http_service_*`). `allowHierarchyLabels` lets them use labels
   * named namespace/component/endpoint with meanings of their own.
   * @internal used by FrontendMetrics and the HTTP server metrics
   */
  withPrefix(prefix: string, options: { allowHierarchyLabels?: boolean } = {}): PrefixedLevel {
    return new PrefixedLevel(this.store, validatePrefix(prefix), !options.allowHierarchyLabels);
  }

  /** @internal the series limits of this runtime (see README, "Cardinality") */
  get seriesBudget(): SeriesBudget {
    return this.store.budget;
  }

  /**
   * Counts one lookup recorded in an overflow series by a caller with a budget of its own (the
   * LLM frontend's models), in `<prefix>_series_overflow_total{metric}`; the first one per metric
   * is reported through `onSeriesOverflow`.
   * @internal used by the model admission
   */
  recordSeriesOverflow(event: SeriesOverflowEvent): void {
    this.store.budget.overflowed(event);
  }

  /**
   * Refuses metrics in prom-client's global registry (when included) whose names clash with this
   * runtime's; metrics created here are checked at creation, this covers ones registered there
   * later.
   * @internal the module calls it once at start-up
   */
  checkGlobalRegistry(): void {
    this.store.checkGlobalRegistry();
  }

  /** Seconds since the runtime was created. */
  uptimeSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** @internal the metric families of this runtime, for the package's own tests */
  metricFamilies() {
    return [...this.store.all()];
  }

  /**
   * Registers `hook` to run right before every scrape of the metric `fullName`, so a value
   * such as uptime is fresh whenever it is read.
   * @internal used by the exporter
   */
  onCollect(fullName: string, hook: () => void): void {
    this.store.get(fullName)?.collectHooks.push(hook);
  }

  private promView?: RuntimePromRegistry;

  /**
   * This runtime's metrics as a prom-client `Registry` (a live, read-only view: metrics created
   * later appear too; always the same object). For prom-client tooling such as
   * `AggregatorRegistry.setRegistries()` or `Registry.merge()`.
   */
  promRegistry(): Registry {
    return (this.promView ??= new RuntimePromRegistry(this.store));
  }

  /**
   * How the cluster primary merges the metric `fullName` across workers: `sum` (the default),
   * `max`, `min`, `average`, `first` or `omit`. Gauges such as uptime want `max`, not a sum.
   */
  setAggregator(fullName: string, aggregator: ClusterAggregator): void {
    if (!CLUSTER_AGGREGATORS.includes(aggregator)) {
      throw new DynamoMetricsError(
        MESSAGES.invalidAggregator(fullName, aggregator, CLUSTER_AGGREGATORS),
      );
    }
    const family = this.store.get(fullName);
    if (!family) {
      throw new DynamoMetricsError(MESSAGES.aggregatorOfUnknownMetric(fullName));
    }
    family.aggregator = aggregator;
  }
}
