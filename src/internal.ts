/**
 * @internal Everything public plus the internals tests need (option resolution, message tables,
 * naming rules). Not part of the package's `exports` map: users cannot import it.
 */
export * from './index';
export * from './core';
// Public before the API was cut to a screenful; tests and the sample's tooling still use them.
export type {
  DynamoSystemOptions,
  DynamoClusterOptions,
  DynamoFrontendOptions,
  FrontendBucketOption,
  DynamoSeriesOptions,
  DynamoMetricsConfig,
  HealthStatus,
  TraceContext,
} from './config/dynamo-metrics-options.interface';
export type { DynamoHttpServerOptions } from './config/http-server-options.interface';
export type {
  DynamoOtlpOptions,
  OtlpCompression,
  OtlpProtocol,
} from './config/dynamo-otlp-options.interface';
export type {
  DynamoMetricsAsyncExtras,
  DynamoMetricsModuleAsyncOptions,
} from './config/dynamo-metrics.module-definition';
export { DYNAMO_METRICS_CONFIG } from './config/dynamo-metrics.constants';
export { defaultTokenCount } from './frontend/token-count';
export { getComponentToken, getEndpointToken } from './levels/levels.constants';
export { FrontendRequest, TokenUsage } from './frontend/frontend-request';
export { ModelConfig, StartRequestOptions } from './frontend/frontend-metrics.service';
export type { HealthReport } from './exposure/health.service';
export { MetricsExporter, Exposition } from './exposure/metrics-exporter.service';
export { DynamoMetricsController } from './exposure/dynamo-metrics.controller';
export type {
  ClusterMetricsServer,
  ClusterMetricsServerOptions,
} from './exposure/cluster-metrics-server';
export { CONFIG_MESSAGES, LOG_MESSAGES, SYSTEM_SERVER } from './config/config.messages';
export { resolveConfig, ENV } from './config/environment';
export { DEFAULT_SYSTEM_CONNECTIONS } from './config/dynamo-metrics.constants';
export { DYNAMO_METRICS_MODULE_OPTIONS } from './config/dynamo-metrics.module-definition';
export { ClusterWorkerService } from './exposure/cluster-worker.service';
export { replyExposition, writeExposition } from './exposure/exposition-response';
export { BasicAuth, parseBasic } from './exposure/web-config/basic-auth';
export { loadServerSecurity } from './exposure/web-config/server-security';
export { loadWebConfig, resolvePeer } from './exposure/web-config/web-config';
export { acceptsGzip, gzipParts } from './exposure/gzip-encoding';
export type { OtlpConfig } from './config/dynamo-otlp-options.interface';
export { loadOtlpSdk } from './exposure/otlp/otlp-sdk';
export { RuntimeMetricProducer } from './exposure/otlp/runtime-metric-producer';
export { PROCESS_START } from './exposure/otlp/otlp-metric-data';
export { startOtlpExport, OTLP_MAX_POINTS_PER_REQUEST } from './exposure/otlp/otlp-pipeline';
export { PathExclusions, withGlobalPrefix } from './http-server/path-exclusions';
