export * from './constants';
export { DynamoMetricsError } from './dynamo-metrics.error';
export { MESSAGES } from './core.messages';
export { negotiateContentType, ExpositionContentType } from './exposition';
export type { Exposition } from './render/render-exposition';
export type { PromMetricData, PromSample } from './prom-data';
export { labelSetKey, tupleKey } from './label-key';
export type { MetricType, FamilyDefinition } from './family-definition';
export type { MetricFamily } from './family';
export {
  DistributedRuntime,
  Namespace,
  Component,
  Endpoint,
  PrefixedLevel,
  includedRegistry,
  runtimeSources,
} from './hierarchy';
export type { DistributedRuntimeOptions } from './distributed-runtime-options.interface';
export {
  FamilySnapshot,
  MetricSource,
  MetricVisitor,
  COLLECT_SLICE_MS,
  collectMetrics,
  readHistograms,
  registrySources,
} from './collect';
export { MetricsLevel } from './level';
export { ConstLabels } from './metric-factories';
export * from './metric-vec';
export { sanitizeHierarchyName, isValidLabelName, isValidMetricName } from './naming';
export {
  NAMING_PROFILES,
  NamingProfile,
  NamingProfileName,
  CLASSIC_NAMING,
  COMPONENT_NAMING,
  namingProfile,
} from './naming-profile';
export { CounterSeries, GaugeSeries, SeriesLabels, AnySeries } from './series';
export { HistogramSeries, HistogramSnapshot } from './histogram-series';
export type { MetricCreatedEvent } from './store';
export {
  OVERFLOW_LABEL_VALUE,
  DEFAULT_MAX_SERIES,
  DEFAULT_MAX_LABEL_VALUE_LENGTH,
  SERIES_OVERFLOW_METRIC,
} from './series-budget';
export type {
  SeriesBudget,
  SeriesBudgetOptions,
  SeriesOverflowEvent,
  SeriesOverflowReason,
} from './series-budget';
export { wellFormed } from './label-value';
export * from './worker-metrics';
export { WORKER_METRICS } from './worker-metric-definitions';
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
export {
  ExemplarLabels,
  ExemplarText,
  BucketExemplar,
  MAX_EXEMPLAR_LABEL_CHARS,
  traceExemplar,
} from './exemplar';
export {
  FRONTEND_ERROR_TYPES,
  FRONTEND_BUCKET_SETS,
  FrontendBucketSet,
  FrontendErrorType,
  FrontendFamilySpec,
  FrontendErrorMapping,
  FrontendNaming,
  FrontendRole,
  ModelConfigRole,
  ModelGaugeRole,
  ModelHistogramRole,
} from './frontend-naming';
export {
  LogBucketSpec,
  MAX_LOG_BUCKET_COUNT,
  generateLogBuckets,
  isValidLogBucketSpec,
} from './log-buckets';
