export * from './core';
export { DynamoMetricsModule } from './nest/dynamo-metrics.module';
export { DynamoEndpoint, DynamoEndpointOptions } from './nest/dynamo-endpoint.decorator';
export { InjectComponent, InjectEndpoint, InjectNamespace } from './nest/inject.decorators';
export {
  DynamoMetricsModuleOptions,
  DynamoSystemOptions,
  DynamoMetricsConfig,
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
export { resolveConfig, ENV } from './exposure/environment';
export { FrontendMetrics } from './frontend/frontend-metrics.service';
