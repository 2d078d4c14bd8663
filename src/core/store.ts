import type { Registry } from 'prom-client';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import type { ExpositionContentType } from './exposition';
import { MetricFamily } from './family';
import { describeDefinition, FamilyDefinition, sameDefinition } from './family-definition';
import { NameClashIndex, NamedMetric } from './name-clash';
import type { NamingProfile } from './naming-profile';
import { SeriesBudget, SeriesBudgetOptions, SERIES_OVERFLOW_HELP } from './series-budget';
import { MetricSource, registrySources } from './collect';
import { tupleKey } from './label-key';
import { Exposition, renderExposition } from './render/render-exposition';
import { SharedRender } from './render/shared-render';
import { AnySeries, CounterSeries } from './series';

export interface MetricCreatedEvent {
  name: string;
  type: string;
  /** Level path, e.g. `dynamo/backend/generate`, or `runtime`. */
  level: string;
  labelNames: readonly string[];
  constLabels: Readonly<Record<string, string>>;
}

export interface MetricStoreOptions {
  naming: NamingProfile;
  /** Labels added to every metric created through a hierarchy level (not withPrefix views). */
  processLabels: Readonly<Record<string, string>>;
  includeGlobalRegistry: boolean;
  globalRegistry: Registry;
  onMetricCreated?: (event: MetricCreatedEvent) => void;
  budget: SeriesBudgetOptions;
  /** Full name of the counter of overflowed lookups (`<prefix>_series_overflow_total`). */
  overflowMetricName: string;
}

/** The global registry's metrics, as far as names go. */
const foreignMetrics = (registry: Registry): NamedMetric[] =>
  registry.getMetricsAsArray() as unknown as NamedMetric[];

const GLOBAL_REGISTRY = "prom-client's global registry metric";

const within = (path: readonly string[], level: readonly string[]): boolean =>
  level.length <= path.length && level.every((name, i) => path[i] === name);

/** The families of one runtime: get-or-create by name, and rendering of any subtree. */
export class MetricStore {
  private readonly families = new Map<string, MetricFamily>();
  private readonly names = new NameClashIndex();
  readonly budget: SeriesBudget;
  /** `series_overflow_total{metric}`, created at the first overflow; series by metric name. */
  private readonly overflowCounts = new Map<string, CounterSeries>();
  /** Renders in progress, by format and level: concurrent scrapes share one. */
  private readonly rendering = new Map<string, SharedRender>();

  constructor(readonly options: MetricStoreOptions) {
    this.budget = new SeriesBudget(options.budget, options.overflowMetricName, (metric) =>
      this.countOverflow(metric),
    );
  }

  family(definition: FamilyDefinition): MetricFamily {
    const existing = this.families.get(definition.name);
    if (existing) {
      if (!sameDefinition(existing.definition, definition)) {
        throw new DynamoMetricsError(
          MESSAGES.conflictingDefinition(
            definition.name,
            describeDefinition(existing.definition),
            describeDefinition(definition),
          ),
        );
      }
      return existing;
    }
    this.names.check(definition);
    if (this.options.includeGlobalRegistry) {
      const mine = new NameClashIndex();
      mine.add(definition);
      mine.checkForeign(foreignMetrics(this.options.globalRegistry), GLOBAL_REGISTRY);
    }
    const created = new MetricFamily(definition);
    if (definition.labelNames.length > 0 && definition.name !== this.options.overflowMetricName) {
      created.budget = this.budget.forMetric(definition.name);
    }
    this.names.add(definition);
    this.families.set(definition.name, created);
    return created;
  }

  /**
   * Refuses prom-client global-registry metrics that share a name with this runtime's (the
   * output would keep one and drop the other); for metrics registered there after ours.
   */
  checkGlobalRegistry(): void {
    if (!this.options.includeGlobalRegistry) return;
    this.names.checkForeign(foreignMetrics(this.options.globalRegistry), GLOBAL_REGISTRY);
  }

  private countOverflow(metric: string): void {
    let series = this.overflowCounts.get(metric);
    if (!series) {
      const family = this.family({
        name: this.options.overflowMetricName,
        type: 'counter',
        integer: true,
        help: SERIES_OVERFLOW_HELP,
        labelNames: ['metric'],
      });
      series = family.resolve([metric], []) as CounterSeries;
      this.overflowCounts.set(metric, series);
    }
    series.value++;
  }

  get(name: string): MetricFamily | undefined {
    return this.families.get(name);
  }

  all(): IterableIterator<MetricFamily> {
    return this.families.values();
  }

  /**
   * The exposition of every metric at `path` or below (the empty path: the whole runtime), on
   * lease. Scrapes that arrive while one for the same format and level is being rendered share
   * it rather than starting another.
   */
  lease(
    contentType: ExpositionContentType,
    path: readonly string[],
    join = true,
  ): Promise<Exposition> {
    // Not joined and not joinable: a reader of its own (the status page's history) must neither
    // get an older render nor hand one to a scrape that arrives after it started.
    if (!join) {
      const rendering = renderExposition(contentType, this.sources(path));
      const alone = new SharedRender(rendering);
      rendering.then(
        (rendered) => alone.close(rendered),
        () => undefined,
      );
      return alone.lease();
    }
    const key = tupleKey([contentType, ...path]);
    let shared = this.rendering.get(key);
    if (!shared) {
      const rendering = renderExposition(contentType, this.sources(path));
      const created = new SharedRender(rendering);
      this.rendering.set(key, created);
      rendering.then(
        (rendered) => {
          this.rendering.delete(key);
          created.close(rendered);
        },
        () => this.rendering.delete(key),
      );
      shared = created;
    }
    return shared.lease();
  }

  /**
   * What a collection of `path` reads (every consumer collects through these): the families at
   * `path` or below; for the whole runtime, also the global registry when it is included, unless
   * `foreign` is false.
   */
  *sources(path: readonly string[], foreign = true): Iterable<MetricSource> {
    if (path.length === 0) {
      for (const family of this.families.values()) yield { family };
      if (foreign && this.options.includeGlobalRegistry) {
        yield* registrySources([this.options.globalRegistry]);
      }
      return;
    }
    const filter = (s: AnySeries) => within(s.path, path);
    for (const family of this.families.values()) {
      // A family made at a shallower level than `path` cannot have series below it.
      const hierarchy = this.options.naming.hierarchyLabels;
      const depth = family.definition.labelNames.filter((n) => hierarchy.includes(n)).length;
      if (depth < path.length || !family.series.some(filter)) continue;
      yield { family, filter };
    }
  }
}
