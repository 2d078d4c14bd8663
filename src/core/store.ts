import type { Registry } from 'prom-client';
import { HIERARCHY_LABELS } from './constants';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';
import type { ExpositionContentType, ExposableMetric } from './exposition';
import { MetricFamily } from './family';
import { describeDefinition, FamilyDefinition, sameDefinition } from './family-definition';
import { joinParts } from './render/exposition-bytes';
import { ExpositionSource, renderExposition } from './render/render-exposition';
import { ExpositionLease, SharedRender } from './render/shared-render';
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
  includeGlobalRegistry: boolean;
  globalRegistry: Registry;
  onMetricCreated?: (event: MetricCreatedEvent) => void;
}

const within = (path: readonly string[], level: readonly string[]): boolean =>
  level.length <= path.length && level.every((name, i) => path[i] === name);

/** The families of one runtime: get-or-create by name, and rendering of any subtree. */
export class MetricStore {
  private readonly families = new Map<string, MetricFamily>();
  /** Renders in progress, by format and level: concurrent scrapes share one. */
  private readonly rendering = new Map<string, SharedRender>();

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
  async render(contentType: ExpositionContentType, path: readonly string[]): Promise<string> {
    const lease = await this.lease(contentType, path);
    try {
      return joinParts(lease.parts);
    } finally {
      lease.release();
    }
  }

  /** The same as UTF-8 parts of at most a few hundred KB, which the caller keeps. */
  async renderParts(
    contentType: ExpositionContentType,
    path: readonly string[],
  ): Promise<readonly Buffer[]> {
    // Never released: these buffers are the caller's, not reused.
    return (await this.lease(contentType, path)).parts;
  }

  /**
   * The parts on lease, for a server that writes them and then releases them for reuse. The
   * render yields to the event loop every slice; scrapes that arrive while one for the same
   * format and level is being rendered share it rather than starting another.
   */
  lease(contentType: ExpositionContentType, path: readonly string[]): Promise<ExpositionLease> {
    const key = `${contentType}\n${path.join('\n')}`;
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

  private *sources(path: readonly string[]): Iterable<ExpositionSource> {
    if (path.length === 0) {
      for (const family of this.families.values()) yield { family };
      if (this.options.includeGlobalRegistry) {
        for (const metric of this.options.globalRegistry.getMetricsAsArray()) {
          yield { metric: metric as unknown as ExposableMetric };
        }
      }
      return;
    }
    const filter = (s: AnySeries) => within(s.path, path);
    for (const family of this.families.values()) {
      // A family made at a shallower level than `path` cannot have series below it.
      const depth = family.definition.labelNames.filter((n) => HIERARCHY_LABELS.includes(n)).length;
      if (depth < path.length || !family.series.some(filter)) continue;
      yield { family, filter };
    }
  }
}
