export * from './core';
export { DynamoMetricsModule } from './module/dynamo-metrics.module';
export { DynamoEndpoint } from './endpoint/dynamo-endpoint.decorator';
export { DynamoEndpointOptions } from './endpoint/dynamo-endpoint-options.interface';
export { InjectComponent, InjectEndpoint, InjectNamespace } from './levels/inject.decorators';
export { getComponentToken, getEndpointToken } from './levels/levels.constants';
export {
  DynamoMetricsModuleOptions,
  DynamoSystemOptions,
  DynamoMetricsConfig,
  DynamoClusterOptions,
  HealthStatus,
  TraceContext,
} from './config/dynamo-metrics-options.interface';
export { DYNAMO_METRICS_CONFIG, DEFAULT_FRONTEND_PREFIX } from './config/dynamo-metrics.constants';
export { DYNAMO_METRICS_MODULE_OPTIONS } from './config/dynamo-metrics.module-definition';
export { CONFIG_MESSAGES, SYSTEM_SERVER } from './config/config.messages';
export { resolveConfig, ENV } from './config/environment';
export { DynamoMetricsController } from './exposure/dynamo-metrics.controller';
export { HealthService, HealthReport } from './exposure/health.service';
export { MetricsExporter, Exposition } from './exposure/metrics-exporter.service';
export { SystemServer } from './exposure/system-server.service';
export {
  startClusterMetricsServer,
  ClusterMetricsServer,
  ClusterMetricsServerOptions,
} from './exposure/cluster-metrics-server';
export { ClusterWorkerService } from './exposure/cluster-worker.service';
export { FrontendMetrics, StartRequestOptions } from './frontend/frontend-metrics.service';
export { FrontendRequest, TokenUsage } from './frontend/frontend-request';
export { FRONTEND_METRICS } from './frontend/frontend-metrics.constants';
export { LlmFrontendEndpoint } from './frontend/llm-frontend.decorator';
export { LlmFrontendEndpointOptions } from './frontend/llm-frontend-options.interface';
export { defaultTokenCount } from './frontend/token-count';
