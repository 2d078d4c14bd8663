export * from './constants';
export { DynamoMetricsError, MESSAGES, CONFIG_MESSAGES, SYSTEM_SERVER } from './errors';
export { negotiateContentType, ExpositionContentType } from './exposition';
export type { MetricType, FamilyDefinition, MetricFamily } from './family';
export {
  DistributedRuntime,
  DistributedRuntimeOptions,
  Namespace,
  Component,
  Endpoint,
  PrefixedLevel,
} from './hierarchy';
export { MetricsLevel, ConstLabels } from './level';
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
export { RuntimePromRegistry, ClusterAggregator, CLUSTER_AGGREGATORS } from './prom-registry';
export {
  enableClusterWorker,
  ClusterWorkerOptions,
  ClusterWorkerRegistration,
  ClusterMetricsCollector,
  ClusterMetricsCollectorOptions,
  ClusterWorkerMetric,
  aggregateWorkerMetrics,
} from './cluster';
