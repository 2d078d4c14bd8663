import { PROMETHEUS_CONTENT_TYPE } from './constants';
import { assertContentType } from './exposition';
import type { ExpositionLease } from './render/shared-render';
import type { FamilyDefinition } from './family-definition';
import { assertLabelNames, DefinitionScope, defineMetric } from './metric-definition';
import { ConstLabels, FACTORIES as F, MetricRequest } from './metric-factories';
import { CounterVec, GaugeVec, HistogramVec, MetricVec } from './metric-vec';
import { buildMetricName } from './naming';
import type { NamingProfile } from './naming-profile';
import { AnySeries, CounterSeries, GaugeSeries, HistogramSeries } from './series';
import { MetricStore } from './store';

/**
 * One level of the hierarchy (runtime, namespace, component or endpoint). Every level has the
 * same factories; a metric created here carries this level's hierarchy labels automatically.
 * Creating the same metric twice returns the existing one.
 */
export abstract class MetricsLevel {
  /** Hierarchy label values of this level, e.g. `{ namespace: 'dynamo', component: 'backend' }`. */
  readonly hierarchyLabels: Readonly<Record<string, string>>;
  private readonly vecs = new Map<string, MetricVec<AnySeries>>();
  private readonly scope: DefinitionScope;

  protected constructor(
    protected readonly store: MetricStore,
    readonly prefix: string,
    /** Sanitised names from the namespace down to this level; empty for the runtime. */
    readonly path: readonly string[],
    /**
     * Set for runtime-level views under a name prefix of their own (withPrefix): they get no
     * runtime-wide labels, and may opt out of the reserved hierarchy label names.
     */
    prefixed?: { reserveHierarchyLabels: boolean },
  ) {
    const { naming, processLabels } = store.options;
    const labels: Record<string, string> = {};
    path.forEach((name, i) => (labels[naming.hierarchyLabels[i]!] = name));
    this.hierarchyLabels = Object.freeze(labels);
    this.scope = {
      hierarchyLabels: this.hierarchyLabels,
      reserved: prefixed?.reserveHierarchyLabels === false ? [] : naming.hierarchyLabels,
      processLabels: prefixed ? {} : processLabels,
    };
  }

  /** The naming profile of this level's runtime (`classic` or `component`). */
  get naming(): NamingProfile {
    return this.store.options.naming;
  }

  /** Human-readable position, used in logs: `runtime`, `dynamo`, `dynamo/backend/generate`. */
  get levelName(): string {
    return this.path.length ? this.path.join('/') : 'runtime';
  }

  // The factories differ only in their FACTORIES entry; the signatures stay spelled out for typings.

  createCounter(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterSeries {
    return this.plain({ spec: F.createCounter, name, help, constLabels, extra });
  }

  createIntCounter(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterSeries {
    return this.plain({ spec: F.createIntCounter, name, help, constLabels, extra });
  }

  createGauge(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeSeries {
    return this.plain({ spec: F.createGauge, name, help, constLabels, extra });
  }

  createIntGauge(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeSeries {
    return this.plain({ spec: F.createIntGauge, name, help, constLabels, extra });
  }

  createHistogram(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    buckets?: readonly number[],
    ...extra: unknown[]
  ): HistogramSeries {
    return this.plain({ spec: F.createHistogram, name, help, constLabels, buckets, extra });
  }

  createCounterVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterVec {
    return this.vec({ spec: F.createCounterVec, name, help, labelNames, constLabels, extra });
  }

  createIntCounterVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterVec {
    return this.vec({ spec: F.createIntCounterVec, name, help, labelNames, constLabels, extra });
  }

  createGaugeVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeVec {
    return this.vec({ spec: F.createGaugeVec, name, help, labelNames, constLabels, extra });
  }

  createIntGaugeVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeVec {
    return this.vec({ spec: F.createIntGaugeVec, name, help, labelNames, constLabels, extra });
  }

  createHistogramVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    buckets?: readonly number[],
    ...extra: unknown[]
  ): HistogramVec {
    const spec = F.createHistogramVec;
    return this.vec({ spec, name, help, labelNames, constLabels, buckets, extra });
  }

  /**
   * Exposition text of this level's metrics and all of its descendants' (the runtime: all of
   * them). Async: it is rendered in slices that give the event loop back every couple of ms.
   */
  async prometheusMetricsFmt(contentType: string = PROMETHEUS_CONTENT_TYPE): Promise<string> {
    return this.store.render(assertContentType(contentType), this.path);
  }

  /**
   * The same exposition as UTF-8 parts of at most a few hundred KB, to write in order. For large
   * outputs this is what to serve: joining a 16 MB text into one string and encoding it would
   * hold the event loop for tens of ms, writing parts as the socket drains does not.
   */
  prometheusMetricsParts(
    contentType: string = PROMETHEUS_CONTENT_TYPE,
  ): Promise<readonly Buffer[]> {
    return this.store.renderParts(assertContentType(contentType), this.path);
  }

  /**
   * The parts on lease, for a server that writes them and then calls `release()` (exactly once,
   * after the last write): their buffers are reused by later scrapes, so that a large scrape in
   * steady state allocates almost nothing. What `/metrics` uses. Scrapes that arrive while one
   * is rendered share it; `join: false` renders on its own (for readers other than scrapes).
   */
  leaseExposition(
    contentType: string = PROMETHEUS_CONTENT_TYPE,
    options: { join?: boolean } = {},
  ): Promise<ExpositionLease> {
    return this.store.lease(assertContentType(contentType), this.path, options.join ?? true);
  }

  private plain<S extends AnySeries>(request: MetricRequest): S {
    const { definition, fixed } = this.define(request, []);
    const family = this.store.family(definition);
    // In the family's label order, which an earlier creation may have fixed differently.
    const values = family.definition.labelNames.map((n) => fixed[n]!);
    const before = family.series.length;
    const series = family.resolve(values, this.path) as S;
    if (family.series.length > before) this.created(request, definition, fixed);
    return series;
  }

  private vec<S extends AnySeries>(request: MetricRequest): MetricVec<S> {
    const labelNames = request.labelNames!;
    const full = buildMetricName(this.prefix, request.name);
    assertLabelNames(full, labelNames);
    const constKey = Object.entries(request.constLabels ?? {})
      .map(([k, v]) => [k, String(v)])
      .sort(([a], [b]) => (a! < b! ? -1 : 1));
    const key = JSON.stringify([
      request.spec.type,
      request.spec.integer,
      full,
      constKey,
      labelNames,
    ]);
    const cached = this.vecs.get(key);
    if (cached) {
      // Same arguments again: still check help and buckets against the registered definition.
      this.store.family(this.define(request, labelNames).definition);
      return cached as MetricVec<S>;
    }
    const { definition, fixed } = this.define(request, labelNames);
    const family = this.store.family(definition);
    const vec = new MetricVec<S>(family, fixed, [...labelNames], this.path);
    this.vecs.set(key, vec as unknown as MetricVec<AnySeries>);
    this.created(request, definition, fixed);
    return vec;
  }

  private define(request: MetricRequest, variable: readonly string[]) {
    return defineMetric(this.scope, buildMetricName(this.prefix, request.name), request, variable);
  }

  /** Reports a newly created metric (for debug logging of registrations). */
  private created(
    request: MetricRequest,
    definition: FamilyDefinition,
    fixed: Record<string, string>,
  ): void {
    const { spec } = request;
    this.store.options.onMetricCreated?.({
      name: definition.name,
      type: `${spec.integer ? 'int ' : ''}${spec.type}${request.labelNames ? ' vec' : ''}`,
      level: this.levelName,
      labelNames: definition.labelNames,
      constLabels: fixed,
    });
  }
}
