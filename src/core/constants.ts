/** Default histogram buckets (seconds), the same as Dynamo's and Prometheus client libraries'. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

export const DEFAULT_PREFIX = 'dynamo';

/** Labels the hierarchy adds by itself, in level order. */
export const NAMESPACE_LABEL = 'namespace';
export const COMPONENT_LABEL = 'component';
export const ENDPOINT_LABEL = 'endpoint';
export const HIERARCHY_LABELS: readonly string[] = Object.freeze([
  NAMESPACE_LABEL,
  COMPONENT_LABEL,
  ENDPOINT_LABEL,
]);

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** OpenMetrics 1.0 text, for `prometheusMetricsFmt()` and `leaseExposition()`. */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';
