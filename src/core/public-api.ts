/**
 * The framework-free core as users see it: the `nestjs-dynamo-metrics/core` entry (and part of
 * the main one). Loads no `@nestjs/*` module. Everything else under core/ is internal; the
 * other layers import it through `./index`. Each export is a semver promise: the API report in
 * `test/api/` lists them, and CI fails when the surface changes without it.
 */
export { DistributedRuntime, Namespace, Component, Endpoint } from './hierarchy';
export { MetricsLevel } from './level';
export type { CounterVec, GaugeVec, HistogramVec, LabelValues } from './metric-vec';
export { CounterSeries, GaugeSeries } from './series';
export { HistogramSeries } from './histogram-series';
export { DynamoMetricsError } from './dynamo-metrics.error';
export { traceExemplar } from './exemplar';
export { OVERFLOW_LABEL_VALUE } from './series-budget';
export { WorkerMetrics } from './worker-metrics';
export type { WorkerErrorType } from './worker-metrics';
export { enableClusterWorker } from './cluster';
export { OPENMETRICS_CONTENT_TYPE } from './constants';
