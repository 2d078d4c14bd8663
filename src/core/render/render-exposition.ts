import { collectMetrics, MetricSource } from '../collect';
import { OPENMETRICS_CONTENT_TYPE } from '../constants';
import type { ExpositionContentType } from '../exposition';
import { ExpositionBytes } from './exposition-bytes';
import { FamilyWriter } from './family-writer';
import { promMetricText } from './prom-metric-text';

/** What goes into one exposition (see MetricSource). */
export type ExpositionSource = MetricSource;

/**
 * Renders the exposition in slices, as UTF-8 parts to be written in order (and the pooled
 * buffers behind them, to recycle once written). The sources are read by `collectMetrics`, as
 * every consumer of a runtime reads them: each family as it was when its rendering began,
 * yielding to the event loop every slice; the first source of a name wins.
 */
export async function renderExposition(
  contentType: ExpositionContentType,
  sources: Iterable<ExpositionSource>,
): Promise<{ parts: Buffer[]; buffers: Buffer[] }> {
  const openMetrics = contentType === OPENMETRICS_CONTENT_TYPE;
  const out = new ExpositionBytes();
  let first = true;
  // Families are separated by a blank line in the Prometheus format, by nothing in OpenMetrics.
  const separate = () => {
    if (!first && !openMetrics) {
      out.reserve(1);
      out.newline();
    }
    first = false;
  };
  await collectMetrics(sources, {
    family(family) {
      separate();
      FamilyWriter.of(family).writeHeader(out, openMetrics);
    },
    series(family, snap, from, to) {
      FamilyWriter.of(family).write(out, snap, from, to, openMetrics);
    },
    async metric(metric, fetch) {
      separate();
      out.text(await promMetricText(metric, openMetrics, fetch));
    },
  });
  if (openMetrics) out.text('# EOF\n');
  return { parts: out.finish(), buffers: out.buffers };
}
