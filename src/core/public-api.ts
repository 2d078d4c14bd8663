/**
 * The framework-free core as users see it: the `nestjs-dynamo-metrics/core` entry (and part of
 * the main one). Loads no `@nestjs/*` module. Everything else under core/ is internal; the
 * other layers import it through `./index`.
 */
export {
  DistributedRuntime,
  DistributedRuntimeOptions,
  Namespace,
  Component,
  Endpoint,
} from './hierarchy';
export { MetricsLevel } from './level';
export { ConstLabels } from './metric-factories';
export {
  MetricVec,
  CounterVec,
  GaugeVec,
  HistogramVec,
  LabelValue,
  LabelValues,
} from './metric-vec';
export {
  CounterSeries,
  GaugeSeries,
  HistogramSeries,
  HistogramSnapshot,
  SeriesLabels,
} from './series';
export { DynamoMetricsError } from './dynamo-metrics.error';
export { ExemplarText, traceExemplar } from './exemplar';
export type { ExemplarLabels } from './exemplar';
export { OVERFLOW_LABEL_VALUE } from './series-budget';
export type {
  SeriesBudgetOptions,
  SeriesOverflowEvent,
  SeriesOverflowReason,
} from './series-budget';
export { DEFAULT_BUCKETS, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './constants';
export type { ExpositionContentType } from './exposition';
export type { MetricType } from './family-definition';
export type { MetricCreatedEvent } from './store';
export type { RuntimePromRegistry } from './prom-registry';
export {
  WORKER_ERROR_TYPES,
  WorkerErrorType,
  WorkerMetrics,
  WorkerMetricsOptions,
} from './worker-metrics';
export { WORKER_METRICS } from './worker-metric-definitions';
export { NAMING_PROFILES } from './naming-profile';
export type { NamingProfileName } from './naming-profile';
export {
  CLUSTER_AGGREGATORS,
  ClusterAggregator,
  ClusterMetricsCollector,
  ClusterMetricsCollectorOptions,
  ClusterWorkerOptions,
  ClusterWorkerRegistration,
  enableClusterWorker,
} from './cluster';
