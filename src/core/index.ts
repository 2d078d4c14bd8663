export * from './constants';
export { DynamoMetricsError } from './dynamo-metrics.error';
export { MESSAGES } from './core.messages';
export { negotiateContentType, ExpositionContentType } from './exposition';
export type { ExpositionLease } from './render/shared-render';
export type { MetricType, FamilyDefinition } from './family-definition';
export type { MetricFamily } from './family';
export {
  DistributedRuntime,
  DistributedRuntimeOptions,
  Namespace,
  Component,
  Endpoint,
  PrefixedLevel,
} from './hierarchy';
export { MetricsLevel } from './level';
export { ConstLabels } from './metric-factories';
export * from './metric-vec';
export { sanitizeHierarchyName, isValidLabelName, isValidMetricName } from './naming';
export {
  CounterSeries,
  GaugeSeries,
  HistogramSeries,
  HistogramSnapshot,
  SeriesLabels,
} from './series';
export type { MetricCreatedEvent } from './store';
export * from './worker-metrics';
export { RuntimePromRegistry } from './prom-registry';
export {
  CLUSTER_AGGREGATORS,
  ClusterAggregator,
  enableClusterWorker,
  ClusterWorkerOptions,
  ClusterWorkerRegistration,
  ClusterMetricsCollector,
  ClusterMetricsCollectorOptions,
  ClusterWorkerMetric,
  aggregateWorkerMetrics,
} from './cluster';
