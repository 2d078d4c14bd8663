export { aggregateWorkerMetrics } from './cluster-aggregation';
export { CLUSTER_AGGREGATORS, ClusterAggregator } from './cluster-aggregators';
export {
  ClusterMetricsCollector,
  ClusterMetricsCollectorOptions,
} from './cluster-metrics.collector';
export {
  ClusterWorkerOptions,
  ClusterWorkerRegistration,
  enableClusterWorker,
} from './cluster-worker';
export type { WireMetric as ClusterWorkerMetric } from './cluster.protocol';
