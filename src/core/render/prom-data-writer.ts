import type { PromMetricData } from '../prom-data';
import type { ExpositionBytes } from './exposition-bytes';
import { familyHeader, familyName, labelPairs } from './text-format';

/** Room for a value and what follows it on the line. */
const VALUE_ROOM = 32;

/**
 * Writes a metric given in prom-client's data shape (prom-client registries, cluster merges) as
 * prom-client's Registry writes it: labels, then a series' shared labels; OpenMetrics counters
 * named without `_total` in the metadata and with it on samples; exemplars in OpenMetrics only.
 */
export function writePromData(
  out: ExpositionBytes,
  data: PromMetricData,
  openMetrics: boolean,
): void {
  const shown = familyName(data.name, data.type, openMetrics);
  out.text(familyHeader(shown, data.help, data.type));
  const suffix = openMetrics && data.type === 'counter' ? '_total' : '';
  for (const sample of data.values ?? []) {
    const { labels = {}, sharedLabels } = sample;
    const pairs = [labelPairs(labels, sharedLabels), sharedLabels ? labelPairs(sharedLabels) : '']
      .filter(Boolean)
      .join(',');
    out.text(`${sample.metricName ?? shown}${suffix}${pairs ? `{${pairs}}` : ''} `);
    out.reserve(VALUE_ROOM);
    out.value(sample.value);
    const { exemplar } = sample;
    if (exemplar && openMetrics) {
      out.text(` # {${labelPairs(exemplar.labelSet)}} `);
      out.reserve(VALUE_ROOM);
      out.value(exemplar.value);
      out.text(` ${exemplar.timestamp}`);
    }
    out.reserve(1);
    out.newline();
  }
}
