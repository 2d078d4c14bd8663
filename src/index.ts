export * from './core';
export { DynamoMetricsModule } from './nest/dynamo-metrics.module';
export { DynamoEndpoint, DynamoEndpointOptions } from './nest/dynamo-endpoint.decorator';
export { InjectComponent, InjectEndpoint, InjectNamespace } from './nest/inject.decorators';
export {
  DynamoMetricsModuleOptions,
  DynamoSystemOptions,
  DynamoMetricsConfig,
  DynamoClusterOptions,
  HealthStatus,
} from './nest/dynamo-metrics-options.interface';
export {
  DYNAMO_METRICS_CONFIG,
  getComponentToken,
  getEndpointToken,
} from './nest/dynamo-metrics.constants';
export { DYNAMO_METRICS_MODULE_OPTIONS } from './nest/dynamo-metrics.module-definition';
export { DynamoMetricsController } from './exposure/dynamo-metrics.controller';
export { HealthService, HealthReport } from './exposure/health.service';
export { MetricsExporter, Exposition } from './exposure/metrics-exporter.service';
export { SystemServer } from './exposure/system-server.service';
export {
  startClusterMetricsServer,
  ClusterMetricsServer,
  ClusterMetricsServerOptions,
} from './exposure/cluster-metrics-server';
export { ClusterWorkerService } from './nest/cluster-worker.service';
export { resolveConfig, ENV } from './exposure/environment';
export { FrontendMetrics, StartRequestOptions } from './frontend/frontend-metrics.service';
export { FrontendRequest, TokenUsage } from './frontend/frontend-request';
export { FRONTEND_METRICS, DEFAULT_FRONTEND_PREFIX } from './frontend/frontend-metrics.constants';
export { LlmFrontendEndpoint, LlmFrontendEndpointOptions } from './frontend/llm-frontend.decorator';
export { defaultTokenCount } from './frontend/llm-frontend.recorder';
