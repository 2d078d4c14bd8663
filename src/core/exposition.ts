import { Registry, RegistryContentType } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './constants';
import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';

/** The OpenMetrics version this package writes. */
const OPENMETRICS_VERSION = '1.0.0';

export type ExpositionContentType =
  typeof PROMETHEUS_CONTENT_TYPE | typeof OPENMETRICS_CONTENT_TYPE;

/** The subset of prom-client's metric interface that its Registry uses for exposition. */
export interface ExposableMetric {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): unknown;
  getForPromString?(): unknown;
  reset(): void;
}

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
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    // Only the OpenMetrics version written here; asked for another, the text format answers.
    const version = params.find((p) => p.startsWith('version='))?.slice('version='.length);
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

/** Accepts the full content types and their bare media types (`text/plain`, `application/openmetrics-text`). */
export function assertContentType(contentType: unknown): ExpositionContentType {
  if (typeof contentType === 'string') {
    const media = contentType.split(';')[0]!.trim().toLowerCase();
    if (media === 'text/plain') return PROMETHEUS_CONTENT_TYPE;
    if (media === 'application/openmetrics-text') return OPENMETRICS_CONTENT_TYPE;
  }
  throw new DynamoMetricsError(MESSAGES.unsupportedContentType(contentType));
}

/**
 * prom-client's Registry renames registered counters in place when it renders OpenMetrics
 * (it strips `_total`), so OpenMetrics rendering goes through throw-away views, never the
 * metric objects themselves.
 */
function openMetricsView(metric: ExposableMetric, fetch: () => unknown): ExposableMetric {
  const view: ExposableMetric = {
    name: metric.name,
    help: metric.help,
    type: metric.type,
    aggregator: metric.aggregator,
    get: () => metric.get(),
    getForPromString: async () => ({ ...((await fetch()) as object), name: view.name }),
    reset: () => undefined,
  };
  return view;
}

/** Renders metrics with prom-client's Registry; duplicate names keep the first one given. */
export function renderMetrics(
  contentType: ExpositionContentType,
  metrics: Iterable<{ metric: ExposableMetric; fetch?: () => unknown }>,
): Promise<string> {
  const open = contentType === OPENMETRICS_CONTENT_TYPE;
  // prom-client's typings omit the constructor's content-type argument.
  const registry = new (Registry as unknown as new (type: string) => Registry<RegistryContentType>)(
    contentType,
  );
  for (const { metric, fetch } of metrics) {
    if (registry.getSingleMetric(metric.name)) continue;
    const fetcher =
      fetch ??
      (() =>
        typeof metric.getForPromString === 'function' ? metric.getForPromString() : metric.get());
    const exposed =
      open || fetch
        ? open
          ? openMetricsView(metric, fetcher)
          : { ...metric, getForPromString: fetcher, get: fetcher }
        : metric;
    registry.registerMetric(exposed as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  if (registry.getMetricsAsArray().length === 0) {
    return Promise.resolve(open ? '# EOF\n' : '');
  }
  return registry.metrics();
}
