import { PROMETHEUS_CONTENT_TYPE } from './constants';
import { DynamoMetricsError, MESSAGES } from './errors';
import { assertContentType } from './exposition';
import { FamilyDefinition, MetricType } from './family';
import { CounterVec, GaugeVec, HistogramVec, LabelValue, MetricVec } from './metric-vec';
import { buildMetricName, validateUserLabelNames } from './naming';
import { AnySeries, CounterSeries, GaugeSeries, HistogramSeries } from './series';
import { MetricStore } from './store';
import { DEFAULT_BUCKETS, HIERARCHY_LABELS } from './constants';

export type ConstLabels = Record<string, LabelValue>;

interface Spec {
  factory: string;
  type: MetricType;
  integer: boolean;
  name: string;
  help: string;
  constLabels?: ConstLabels;
  labelNames?: readonly string[];
  buckets?: readonly number[];
  extra: unknown[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One level of the hierarchy (runtime, namespace, component or endpoint). Every level has the
 * same factories; a metric created here carries this level's hierarchy labels automatically.
 * Creating the same metric twice returns the existing one.
 */
export abstract class MetricsLevel {
  /** Hierarchy label values of this level, e.g. `{ namespace: 'dynamo', component: 'backend' }`. */
  readonly hierarchyLabels: Readonly<Record<string, string>>;
  private readonly vecs = new Map<string, MetricVec<AnySeries>>();

  protected constructor(
    protected readonly store: MetricStore,
    readonly prefix: string,
    /** Sanitised names from the namespace down to this level; empty for the runtime. */
    readonly path: readonly string[],
    /** Whether user labels may not be named namespace/component/endpoint (always, but for withPrefix levels that opt out). */
    private readonly reserveHierarchyLabels = true,
  ) {
    const labels: Record<string, string> = {};
    path.forEach((name, i) => (labels[HIERARCHY_LABELS[i]!] = name));
    this.hierarchyLabels = Object.freeze(labels);
  }

  /** Human-readable position, used in logs: `runtime`, `dynamo`, `dynamo/backend/generate`. */
  get levelName(): string {
    return this.path.length ? this.path.join('/') : 'runtime';
  }

  createCounter(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterSeries {
    return this.plain({
      factory: 'createCounter',
      type: 'counter',
      integer: false,
      name,
      help,
      constLabels,
      extra,
    });
  }

  createIntCounter(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterSeries {
    return this.plain({
      factory: 'createIntCounter',
      type: 'counter',
      integer: true,
      name,
      help,
      constLabels,
      extra,
    });
  }

  createGauge(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeSeries {
    return this.plain({
      factory: 'createGauge',
      type: 'gauge',
      integer: false,
      name,
      help,
      constLabels,
      extra,
    });
  }

  createIntGauge(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeSeries {
    return this.plain({
      factory: 'createIntGauge',
      type: 'gauge',
      integer: true,
      name,
      help,
      constLabels,
      extra,
    });
  }

  createHistogram(
    name: string,
    help: string,
    constLabels?: ConstLabels,
    buckets?: readonly number[],
    ...extra: unknown[]
  ): HistogramSeries {
    return this.plain({
      factory: 'createHistogram',
      type: 'histogram',
      integer: false,
      name,
      help,
      constLabels,
      buckets,
      extra,
    });
  }

  createCounterVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterVec {
    return this.vec({
      factory: 'createCounterVec',
      type: 'counter',
      integer: false,
      name,
      help,
      labelNames,
      constLabels,
      extra,
    });
  }

  createIntCounterVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): CounterVec {
    return this.vec({
      factory: 'createIntCounterVec',
      type: 'counter',
      integer: true,
      name,
      help,
      labelNames,
      constLabels,
      extra,
    });
  }

  createGaugeVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeVec {
    return this.vec({
      factory: 'createGaugeVec',
      type: 'gauge',
      integer: false,
      name,
      help,
      labelNames,
      constLabels,
      extra,
    });
  }

  createIntGaugeVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    ...extra: unknown[]
  ): GaugeVec {
    return this.vec({
      factory: 'createIntGaugeVec',
      type: 'gauge',
      integer: true,
      name,
      help,
      labelNames,
      constLabels,
      extra,
    });
  }

  createHistogramVec(
    name: string,
    help: string,
    labelNames: readonly string[],
    constLabels?: ConstLabels,
    buckets?: readonly number[],
    ...extra: unknown[]
  ): HistogramVec {
    return this.vec({
      factory: 'createHistogramVec',
      type: 'histogram',
      integer: false,
      name,
      help,
      labelNames,
      constLabels,
      buckets,
      extra,
    });
  }

  /**
   * Exposition text of this level's metrics and all of its descendants' (the runtime: all of
   * them). Async because prom-client's Registry renders asynchronously.
   */
  async prometheusMetricsFmt(contentType: string = PROMETHEUS_CONTENT_TYPE): Promise<string> {
    return this.store.render(assertContentType(contentType), this.path);
  }

  private plain<S extends AnySeries>(spec: Spec): S {
    const { definition, fixed } = this.define(spec, []);
    const family = this.store.family(definition);
    // In the family's label order, which an earlier creation may have fixed differently.
    const values = family.definition.labelNames.map((n) => fixed[n]!);
    const before = family.series.length;
    const series = family.resolve(values, this.path) as S;
    if (family.series.length > before) this.created(spec, definition, fixed);
    return series;
  }

  private vec<S extends AnySeries>(spec: Spec): MetricVec<S> {
    const labelNames = spec.labelNames;
    const full = this.fullName(spec.name);
    if (
      !Array.isArray(labelNames) ||
      labelNames.length === 0 ||
      labelNames.some((n) => typeof n !== 'string')
    ) {
      throw new DynamoMetricsError(MESSAGES.invalidLabelNames(full, labelNames));
    }
    const constKey = Object.entries(spec.constLabels ?? {})
      .map(([k, v]) => [k, String(v)])
      .sort(([a], [b]) => (a! < b! ? -1 : 1));
    const key = JSON.stringify([spec.type, spec.integer, full, constKey, labelNames]);
    const cached = this.vecs.get(key);
    if (cached) {
      // Same arguments again: still check help and buckets against the registered definition.
      this.store.family(this.define(spec, labelNames).definition);
      return cached as MetricVec<S>;
    }
    const { definition, fixed } = this.define(spec, labelNames);
    const family = this.store.family(definition);
    const vec = new MetricVec<S>(family, fixed, [...labelNames], this.path);
    this.vecs.set(key, vec as unknown as MetricVec<AnySeries>);
    this.created(spec, definition, fixed);
    return vec;
  }

  private fullName(name: string): string {
    return buildMetricName(this.prefix, name);
  }

  /** Validates a creation request and turns it into a family definition. */
  private define(
    spec: Spec,
    variable: readonly string[],
  ): { definition: FamilyDefinition; fixed: Record<string, string> } {
    const name = this.fullName(spec.name);
    const histogram = spec.type === 'histogram';
    if (spec.extra.length > 0) {
      const what = histogram ? 'arguments after the buckets' : 'buckets or further arguments';
      const use = histogram
        ? 'see the factory signature'
        : 'use createHistogram() or createHistogramVec() for bucketed metrics';
      throw new DynamoMetricsError(MESSAGES.unexpectedArgument(name, spec.factory, what, use));
    }
    if (typeof spec.help !== 'string' || spec.help.trim() === '') {
      throw new DynamoMetricsError(MESSAGES.emptyHelp(name));
    }
    const constLabels = spec.constLabels ?? {};
    if (!isPlainObject(constLabels)) {
      if (Array.isArray(constLabels) && !spec.labelNames) {
        const vecFactory = spec.factory.replace(/^create(\w+)$/, 'create$1Vec');
        throw new DynamoMetricsError(
          MESSAGES.unexpectedArgument(
            name,
            spec.factory,
            'variable label names',
            `use ${vecFactory}() for metrics with variable labels`,
          ),
        );
      }
      throw new DynamoMetricsError(MESSAGES.invalidConstLabels(name, constLabels));
    }
    const constNames = Object.keys(constLabels).sort();
    validateUserLabelNames(
      name,
      [...constNames, ...variable],
      histogram,
      this.reserveHierarchyLabels,
    );
    const fixed: Record<string, string> = { ...this.hierarchyLabels };
    for (const label of constNames) {
      const value = constLabels[label];
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new DynamoMetricsError(MESSAGES.invalidConstLabelValue(name, label, value));
      }
      fixed[label] = String(value);
    }
    let buckets: readonly number[] | undefined;
    if (histogram) {
      buckets = spec.buckets === undefined ? DEFAULT_BUCKETS : validateBuckets(name, spec.buckets);
    }
    const definition: FamilyDefinition = {
      name,
      type: spec.type,
      integer: spec.integer,
      help: spec.help,
      labelNames: [...Object.keys(this.hierarchyLabels), ...constNames, ...variable],
      buckets,
    };
    return { definition, fixed };
  }

  /** Reports a newly created metric (for debug logging of registrations). */
  private created(spec: Spec, definition: FamilyDefinition, fixed: Record<string, string>): void {
    this.store.options.onMetricCreated?.({
      name: definition.name,
      type: `${spec.integer ? 'int ' : ''}${spec.type}${spec.labelNames ? ' vec' : ''}`,
      level: this.levelName,
      labelNames: definition.labelNames,
      constLabels: fixed,
    });
  }
}

function validateBuckets(metric: string, buckets: unknown): readonly number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new DynamoMetricsError(MESSAGES.invalidBuckets(metric, buckets));
  }
  const finite = buckets[buckets.length - 1] === Infinity ? buckets.slice(0, -1) : buckets;
  for (let i = 0; i < finite.length; i++) {
    const b = finite[i];
    if (typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= finite[i - 1])) {
      throw new DynamoMetricsError(MESSAGES.invalidBuckets(metric, buckets));
    }
  }
  if (finite.length === 0) throw new DynamoMetricsError(MESSAGES.invalidBuckets(metric, buckets));
  return Object.freeze([...finite]);
}
