import { OPENMETRICS_CONTENT_TYPE } from '../constants';
import type { ExpositionContentType } from '../exposition';
import type { MetricFamily } from '../family';
import type { AnySeries } from '../series';
import { ExpositionBytes } from './exposition-bytes';
import { FamilyWriter } from './family-writer';
import { ExposableMetric, promMetricText } from './prom-metric-text';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** What goes into one exposition: the package's own families, or prom-client style metrics. */
export type ExpositionSource =
  | { family: MetricFamily; filter?: (s: AnySeries) => boolean }
  | { metric: ExposableMetric; fetch?: () => unknown };

/**
 * How long a scrape may hold the event loop before it yields, in ms. Small enough that a
 * streamed response waits at most a few ms behind a scrape of any size.
 */
export const RENDER_SLICE_MS = 1;

/** Series written between two looks at the clock (a histogram series is ~14 lines). */
const SERIES_PER_CHUNK = 32;

/** Yields to the event loop once the render has held it for a slice. */
class SliceClock {
  private sliceStart = performance.now();

  async breathe(): Promise<void> {
    if (performance.now() - this.sliceStart < RENDER_SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
  }
}

/**
 * Renders the exposition in slices, as UTF-8 parts to be written in order (and the pooled
 * buffers behind them, to recycle once written). Each family shows its series as they were
 * when its rendering began (`FamilyWriter.snapshot`), however many slices it is written
 * across; the first source of a name wins, as in prom-client's Registry.
 */
export async function renderExposition(
  contentType: ExpositionContentType,
  sources: Iterable<ExpositionSource>,
): Promise<{ parts: Buffer[]; buffers: Buffer[] }> {
  const openMetrics = contentType === OPENMETRICS_CONTENT_TYPE;
  const out = new ExpositionBytes();
  const clock = new SliceClock();
  const seen = new Set<string>();
  for (const source of sources) {
    const name = 'family' in source ? source.family.name : source.metric.name;
    if (seen.has(name)) continue;
    // Families are separated by a blank line in the Prometheus format, by nothing in OpenMetrics.
    if (seen.size > 0 && !openMetrics) {
      out.reserve(1);
      out.newline();
    }
    seen.add(name);
    if (!('family' in source)) {
      out.text(await promMetricText(source.metric, openMetrics, source.fetch));
      await clock.breathe();
      continue;
    }
    const writer = FamilyWriter.of(source.family);
    const snap = writer.snapshot(source.filter);
    try {
      writer.writeHeader(out, openMetrics);
      const count = snap.series.length;
      for (let from = 0; from < count; from += SERIES_PER_CHUNK) {
        writer.write(out, snap, from, Math.min(from + SERIES_PER_CHUNK, count), openMetrics);
        await clock.breathe();
      }
    } finally {
      writer.release(snap);
    }
    await clock.breathe();
  }
  if (openMetrics) out.text('# EOF\n');
  return { parts: out.finish(), buffers: out.buffers };
}
