import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './constants';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';

/** The OpenMetrics version this package writes. */
const OPENMETRICS_VERSION = '1.0.0';

export type ExpositionContentType =
  typeof PROMETHEUS_CONTENT_TYPE | typeof OPENMETRICS_CONTENT_TYPE;

/**
 * Picks the format a scraper asked for. Prometheus 2.x sends
 * `application/openmetrics-text;version=1.0.0,...;q=...,text/plain;version=0.0.4;q=0.5,...`;
 * anything without an OpenMetrics entry gets the classic text format.
 */
export function negotiateContentType(accept: string | string[] | undefined): ExpositionContentType {
  const header = (Array.isArray(accept) ? accept.join(',') : accept)?.toLowerCase();
  if (!header || !header.includes('application/openmetrics-text')) return PROMETHEUS_CONTENT_TYPE;
  let best: ExpositionContentType = PROMETHEUS_CONTENT_TYPE;
  let bestQ = -1;
  for (const part of header.split(',')) {
    const [type, ...params] = part
      .trim()
      .split(';')
      .map((s) => s.trim());
    const q = Number(parameter(params, 'q') ?? '1');
    // Only the OpenMetrics version written here; asked for another, the text format answers.
    const version = parameter(params, 'version');
    const candidate =
      type === 'application/openmetrics-text'
        ? version === undefined || version === OPENMETRICS_VERSION
          ? OPENMETRICS_CONTENT_TYPE
          : undefined
        : type === 'text/plain' || type === '*/*'
          ? PROMETHEUS_CONTENT_TYPE
          : undefined;
    if (candidate && q > 0 && q > bestQ) {
      best = candidate;
      bestQ = q;
    }
  }
  return best;
}

/**
 * A media-type parameter's value: `version=1.0.0` and `version="1.0.0"` are the same value
 * (RFC 9110 5.6.6: a quoted string, backslash escapes allowed).
 */
function parameter(params: readonly string[], name: string): string | undefined {
  const raw = params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
  if (raw === undefined || !raw.startsWith('"')) return raw;
  return raw.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1');
}

/** Accepts the full content types and their bare media types (`text/plain`, `application/openmetrics-text`). */
export function assertContentType(contentType: unknown): ExpositionContentType {
  if (typeof contentType === 'string') {
    const media = contentType.split(';')[0]!.trim().toLowerCase();
    if (media === 'text/plain') return PROMETHEUS_CONTENT_TYPE;
    if (media === 'application/openmetrics-text') return OPENMETRICS_CONTENT_TYPE;
  }
  throw new DynamoMetricsError(MESSAGES.unsupportedContentType(contentType));
}
