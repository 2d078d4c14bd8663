import { PROMETHEUS_CONTENT_TYPE } from './constants';
import { assertContentType } from './exposition';
import { labelSetKey, tupleKey } from './label-key';
import { Exposition, expositionText } from './render/render-exposition';
import type { FamilyDefinition } from './family-definition';
import { assertLabelNames, DefinitionScope, defineMetric } from './metric-definition';
import { ConstLabels, FACTORIES as F, MetricRequest } from './metric-factories';
import { CounterVec, GaugeVec, HistogramVec, MetricVec } from './metric-vec';
import { buildMetricName } from './naming';
import type { NamingProfile } from './naming-profile';
import { HistogramSeries } from './histogram-series';
import { AnySeries, CounterSeries, GaugeSeries } from './series';
import { MetricStore } from './store';

type Tail = [constLabels?: ConstLabels, ...extra: unknown[]];
type BucketedTail = [constLabels?: ConstLabels, buckets?: readonly number[], ...extra: unknown[]];
type Plain = [name: string, help: string, ...tail: Tail];
type Bucketed = [name: string, help: string, ...tail: BucketedTail];
type Vec = [name: string, help: string, labelNames: readonly string[], ...tail: Tail];
type BucketedVec = [
  name: string,
  help: string,
  labelNames: readonly string[],
  ...tail: BucketedTail,
];

/**
 * The factories, the same at every level (installed on the class from FACTORIES). Each takes
 * `name` (prefixed and validated), `help`, optional constant labels, and for histograms the
 * buckets (default `DEFAULT_BUCKETS`); the `Vec` ones also the names of the labels given per
 * series by `.labels({...})`. Creating the same metric again returns the existing one.
 */
export interface MetricsLevel {
  /** A counter, named `<prefix>_<name>` (end the name in `_total`, as Prometheus counters are). */
  createCounter(...args: Plain): CounterSeries;
  /** A counter that takes whole numbers only. */
  createIntCounter(...args: Plain): CounterSeries;
  /** A gauge. */
  createGauge(...args: Plain): GaugeSeries;
  /** A gauge that takes whole numbers only. */
  createIntGauge(...args: Plain): GaugeSeries;
  /** A histogram with these `buckets` (upper bounds, increasing). */
  createHistogram(...args: Bucketed): HistogramSeries;
  /** Counters by `labelNames`: `.labels({ ... })` returns the series of one set of values. */
  createCounterVec(...args: Vec): CounterVec;
  /** Whole-number counters by `labelNames`. */
  createIntCounterVec(...args: Vec): CounterVec;
  /** Gauges by `labelNames`. */
  createGaugeVec(...args: Vec): GaugeVec;
  /** Whole-number gauges by `labelNames`. */
  createIntGaugeVec(...args: Vec): GaugeVec;
  /** Histograms by `labelNames`, with these `buckets`. */
  createHistogramVec(...args: BucketedVec): HistogramVec;
}

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

  /** @internal the naming profile of this level's runtime (`classic` or `component`) */
  get naming(): NamingProfile {
    return this.store.options.naming;
  }

  /** Human-readable position, used in logs: `runtime`, `dynamo`, `dynamo/backend/generate`. */
  get levelName(): string {
    return this.path.length ? this.path.join('/') : 'runtime';
  }

  /**
   * Exposition text of this level's metrics and all of its descendants' (the runtime: all of
   * them), Dynamo's name for it: `leaseExposition()` read into one string.
   */
  async prometheusMetricsFmt(contentType: string = PROMETHEUS_CONTENT_TYPE): Promise<string> {
    return expositionText(this.leaseExposition(contentType));
  }

  /**
   * The one way to render a level: its exposition as UTF-8 parts of at most 256 KB to write in
   * order, then `release()` (exactly once, after the last write), which hands their buffers to
   * later scrapes. Rendered in slices that give the event loop back every ms or so, and never
   * joined into one string (joining 16 MB and encoding it would hold the loop for tens of ms).
   * Scrapes that arrive while one is rendered share it; `join: false` renders on its own (for
   * readers other than scrapes).
   */
  leaseExposition(
    contentType: string = PROMETHEUS_CONTENT_TYPE,
    options: { join?: boolean } = {},
  ): Promise<Exposition> {
    return this.store.lease(assertContentType(contentType), this.path, options.join ?? true);
  }

  // Every factory from its FACTORIES entry: they differ only in which arguments they take.
  static {
    for (const spec of Object.values(F)) {
      const vec = spec.factory.endsWith('Vec');
      function factory(this: MetricsLevel, name: string, help: string, ...rest: unknown[]) {
        const labelNames = vec ? (rest.shift() as readonly string[]) : undefined;
        const constLabels = rest.shift() as ConstLabels | undefined;
        const buckets = spec.type === 'histogram' ? (rest.shift() as number[]) : undefined;
        const request = { spec, name, help, labelNames, constLabels, buckets, extra: rest };
        return vec ? this.vec(request) : this.plain(request);
      }
      Object.defineProperty(MetricsLevel.prototype, spec.factory, {
        value: factory,
        writable: true,
        configurable: true,
      });
    }
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
    const { type, integer } = request.spec;
    const key = tupleKey([
      type,
      String(integer),
      full,
      labelSetKey(request.constLabels),
      tupleKey(labelNames),
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
