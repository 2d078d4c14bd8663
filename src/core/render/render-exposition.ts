import { collectMetrics, MetricSource } from '../collect';
import { OPENMETRICS_CONTENT_TYPE } from '../constants';
import type { ExpositionContentType } from '../exposition';
import type { PromMetricData } from '../prom-data';
import { ExpositionBytes, joinParts } from './exposition-bytes';
import { FamilyWriter } from './family-writer';
import { writePromData } from './prom-data-writer';
import { recycleParts } from './part-pool';

/**
 * A rendered exposition: its content type, its UTF-8 parts to write in order, and `release()`,
 * to call exactly once when nothing reads the parts any more (their buffers serve later renders;
 * one never released leaves them to the garbage collector).
 */
export interface Exposition {
  readonly contentType: string;
  readonly parts: readonly Buffer[];
  release(): void;
}

/**
 * The one render entry: the exposition of `sources` in `contentType`. The sources are read by
 * `collectMetrics`, as every consumer of a runtime reads them: each family as it was when its
 * rendering began, yielding to the event loop every slice; the first source of a name wins.
 * A level reaches it through `leaseExposition()`, the cluster primary with its merged metrics.
 */
export async function renderExposition(
  contentType: ExpositionContentType,
  sources: Iterable<MetricSource>,
): Promise<Exposition> {
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
    async metric(metric) {
      separate();
      // prom-client's fast path where the metric has it, as its Registry reads metrics.
      const data =
        typeof metric.getForPromString === 'function' ? metric.getForPromString() : metric.get();
      writePromData(out, (await data) as PromMetricData, openMetrics);
    },
  });
  if (openMetrics) out.text('# EOF\n');
  const parts = out.finish();
  let released = false;
  return {
    contentType,
    parts,
    release: () => {
      if (released) return;
      released = true;
      recycleParts(out.buffers);
    },
  };
}

/** The text of an exposition, released once read: for callers that want one string. */
export async function expositionText(exposition: Promise<Exposition>): Promise<string> {
  const { parts, release } = await exposition;
  try {
    return joinParts(parts);
  } finally {
    release();
  }
}
