/**
 * The package's public API (`nestjs-dynamo-metrics`): what users call. The framework-free core
 * is also its own entry, `nestjs-dynamo-metrics/core`. Internals are not exported (the
 * package's `exports` map hides every other file); tests reach them through `./internal`.
 */
export * from './core/public-api';

// The module and its options
export { DynamoMetricsModule } from './module/dynamo-metrics.module';
export {
  DynamoMetricsModuleOptions,
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
  DynamoMetricsOptionsFactory,
} from './config/dynamo-metrics.module-definition';
export { DYNAMO_METRICS_CONFIG } from './config/dynamo-metrics.constants';

// Decorators
export { DynamoEndpoint } from './endpoint/dynamo-endpoint.decorator';
export { DynamoEndpointOptions } from './endpoint/dynamo-endpoint-options.interface';
export { LlmFrontendEndpoint } from './frontend/llm-frontend.decorator';
export { LlmFrontendEndpointOptions } from './frontend/llm-frontend-options.interface';
export { defaultTokenCount } from './frontend/token-count';
export { FRONTEND_ERROR_TYPES } from './frontend/frontend-metrics.constants';
export type { FrontendErrorType } from './frontend/frontend-metrics.constants';
export { InjectComponent, InjectEndpoint, InjectNamespace } from './levels/inject.decorators';
export { getComponentToken, getEndpointToken } from './levels/levels.constants';

// Injectable services
export {
  FrontendMetrics,
  ModelConfig,
  StartRequestOptions,
} from './frontend/frontend-metrics.service';
export { FrontendRequest, TokenUsage } from './frontend/frontend-request';
export { HealthService, HealthReport } from './exposure/health.service';
export { MetricsExporter, Exposition } from './exposure/metrics-exporter.service';
export { SystemServer } from './exposure/system-server.service';

// The in-app route, for guards
export { DynamoMetricsController } from './exposure/dynamo-metrics.controller';
export { isDynamoMetricsRoute } from './exposure/dynamo-metrics-route';

// Node cluster mode: the primary's server
export {
  startClusterMetricsServer,
  ClusterMetricsServer,
  ClusterMetricsServerOptions,
} from './exposure/cluster-metrics-server';
