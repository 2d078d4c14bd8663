import type { Registry } from 'prom-client';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import { ExpositionContentType, ExposableMetric, renderMetrics } from './exposition';
import { MetricFamily } from './family';
import { describeDefinition, FamilyDefinition, sameDefinition } from './family-definition';
import type { NamingProfile } from './naming-profile';
import { AnySeries } from './series';

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
}

const within = (path: readonly string[], level: readonly string[]): boolean =>
  level.length <= path.length && level.every((name, i) => path[i] === name);

/** The families of one runtime: get-or-create by name, and rendering of any subtree. */
export class MetricStore {
  private readonly families = new Map<string, MetricFamily>();

  constructor(readonly options: MetricStoreOptions) {}

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
    const created = new MetricFamily(definition);
    this.families.set(definition.name, created);
    return created;
  }

  get(name: string): MetricFamily | undefined {
    return this.families.get(name);
  }

  all(): IterableIterator<MetricFamily> {
    return this.families.values();
  }

  /** Exposition text of every metric at `path` or below; the empty path is the whole runtime. */
  render(contentType: ExpositionContentType, path: readonly string[]): Promise<string> {
    const entries: Array<{ metric: ExposableMetric; fetch?: () => unknown }> = [];
    if (path.length === 0) {
      for (const family of this.families.values()) entries.push({ metric: family });
      if (this.options.includeGlobalRegistry) {
        for (const metric of this.options.globalRegistry.getMetricsAsArray()) {
          entries.push({ metric: metric as unknown as ExposableMetric });
        }
      }
    } else {
      const filter = (s: AnySeries) => within(s.path, path);
      for (const family of this.families.values()) {
        // A family made at a shallower level than `path` cannot have series below it.
        const hierarchy = this.options.naming.hierarchyLabels;
        const depth = family.definition.labelNames.filter((n) => hierarchy.includes(n)).length;
        if (depth < path.length || !family.series.some(filter)) continue;
        entries.push({ metric: family, fetch: () => family.getForPromString(filter) });
      }
    }
    return renderMetrics(contentType, entries);
  }
}
