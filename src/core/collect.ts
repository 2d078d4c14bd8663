import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import type { MetricFamily } from './family';
import type { ExposableMetric } from './prom-data';
import type { HistogramSeries } from './histogram-series';
import type { AnySeries } from './series';

/**
 * The one way out of a runtime: its families (and prom-client style metrics) read the way
 * `/metrics` reads them, handed to a consumer a slice at a time. The exposition renderer is one
 * consumer, the OTLP export another; both see the same snapshot rules and yield alike.
 */

/** What goes into one collection: the package's own families, or prom-client style metrics. */
export type MetricSource =
  { family: MetricFamily; filter?: (s: AnySeries) => boolean } | { metric: ExposableMetric };

/**
 * What one collection reads of one family, as it was when its collection began. Counters and
 * gauges: their values, copied at once (one number each). Histograms: read a slice at a time at
 * a render epoch; a series that changes meanwhile keeps its earlier state for the collection
 * (copy on write, see RenderGate), so a family read across many slices shows one instant without
 * a copy of every series up front (one stretch of the event loop that grows with the series;
 * README, "Performance").
 */
export interface FamilySnapshot {
  readonly series: readonly AnySeries[];
  /**
   * Counters and gauges: their values. Histograms: room for one series' values, which
   * `HistogramSeries.copyAt(epoch, values)` fills (cumulative finite buckets, count, sum).
   */
  readonly values: Float64Array;
  /** Histograms: the render epoch to read at; 0 for counters and gauges. */
  readonly epoch: number;
  /** Histograms: which series to read (a level's), applied as they are read. */
  readonly filter?: ((s: AnySeries) => boolean) | undefined;
}

/** Reads one family's collection as it goes, in slices. */
export interface MetricVisitor {
  /** One of the package's families, before its series. */
  family(family: MetricFamily, snap: FamilySnapshot): void;
  /** Series `from` (inclusive) to `to` (exclusive) of the family's snapshot. */
  series(family: MetricFamily, snap: FamilySnapshot, from: number, to: number): void;
  /** A metric that is not the package's own (prom-client's global registry, cluster aggregates). */
  metric(metric: ExposableMetric): Promise<void>;
}

/** The metrics of prom-client registries, as sources. */
export function* registrySources(registries: Iterable<Registry>): Iterable<MetricSource> {
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      yield { metric: metric as unknown as ExposableMetric };
    }
  }
}

/**
 * How long a collection may hold the event loop before it yields, in ms. Small enough that a
 * streamed response waits at most a few ms behind a scrape (or an export) of any size.
 */
export const COLLECT_SLICE_MS = 1;

/** Series read between two looks at the clock (a histogram series is ~14 exposition lines). */
const SERIES_PER_CHUNK = 32;

/** Yields to the event loop once the collection has held it for a slice. */
class SliceClock {
  private sliceStart = performance.now();

  async breathe(): Promise<void> {
    if (performance.now() - this.sliceStart < COLLECT_SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
  }
}

/**
 * Runs the family's collect hooks and takes what a collection reads of the series `filter`
 * keeps. Call `releaseSnapshot()` with it once read, also when the reading fails.
 */
export function snapshotFamily(
  family: MetricFamily,
  filter?: (s: AnySeries) => boolean,
): FamilySnapshot {
  for (const hook of family.collectHooks) hook();
  const all = family.series;
  if (family.type === 'histogram') {
    // Nothing is copied now: series changed before they are read keep their state.
    const values = new Float64Array((family.definition.buckets?.length ?? 0) + 2);
    return { series: all.slice(), values, epoch: family.gate.open(), filter };
  }
  const series = filter ? all.filter(filter) : all.slice();
  const values = new Float64Array(series.length);
  for (let k = 0; k < series.length; k++) {
    values[k] = (series[k] as Exclude<AnySeries, HistogramSeries>).value;
  }
  return { series, values, epoch: 0 };
}

/**
 * Calls `read` for each histogram series `from` (inclusive) to `to` (exclusive) of `snap` that
 * its filter keeps, once the series' values are in `snap.values` (cumulative finite buckets, then
 * count and sum); `live` is false when they are the state the series kept for this collection.
 */
export function readHistograms(
  snap: FamilySnapshot,
  from: number,
  to: number,
  read: (s: HistogramSeries, live: boolean) => void,
): void {
  const { series, values, epoch, filter } = snap;
  for (let k = from; k < to; k++) {
    const s = series[k] as HistogramSeries;
    if (filter && !filter(s)) continue;
    read(s, s.copyAt(epoch, values));
  }
}

/** The collection is done with `snap` (its histogram series stop keeping their state for it). */
export function releaseSnapshot(family: MetricFamily, snap: FamilySnapshot): void {
  if (snap.epoch !== 0) family.gate.close();
}

/**
 * Hands every source to `visitor`, a family's series in chunks, yielding to the event loop every
 * slice. Each family shows its series as they were when its collection began, however many
 * slices it is read across; the first source of a name wins, as in prom-client's Registry.
 */
export async function collectMetrics(
  sources: Iterable<MetricSource>,
  visitor: MetricVisitor,
): Promise<void> {
  const clock = new SliceClock();
  const seen = new Set<string>();
  for (const source of sources) {
    const name = 'family' in source ? source.family.name : source.metric.name;
    if (seen.has(name)) continue;
    seen.add(name);
    if (!('family' in source)) {
      await visitor.metric(source.metric);
      await clock.breathe();
      continue;
    }
    const { family } = source;
    const snap = snapshotFamily(family, source.filter);
    try {
      visitor.family(family, snap);
      const count = snap.series.length;
      for (let from = 0; from < count; from += SERIES_PER_CHUNK) {
        visitor.series(family, snap, from, Math.min(from + SERIES_PER_CHUNK, count));
        await clock.breathe();
      }
    } finally {
      releaseSnapshot(family, snap);
    }
    await clock.breathe();
  }
}
