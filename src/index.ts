/**
 * The package's public API (`nestjs-dynamo-metrics`): what users call, each export listed in the
 * README's "Public API" table and in the API report (`test/api/`), which CI compares. The
 * framework-free core is also its own entry, `nestjs-dynamo-metrics/core`. Internals are not
 * exported (the package's `exports` map hides every other file); tests reach them through
 * `./internal`.
 */
export * from './core/public-api';

// The module
export { DynamoMetricsModule } from './module/dynamo-metrics.module';
export type { DynamoMetricsModuleOptions } from './config/dynamo-metrics-options.interface';
export type { DynamoMetricsOptionsFactory } from './config/dynamo-metrics.module-definition';

// Decorators
export { DynamoEndpoint } from './endpoint/dynamo-endpoint.decorator';
export type { DynamoEndpointOptions } from './endpoint/dynamo-endpoint-options.interface';
export { LlmFrontendEndpoint } from './frontend/llm-frontend.decorator';
export type { LlmFrontendEndpointOptions } from './frontend/llm-frontend-options.interface';
export { InjectComponent, InjectEndpoint, InjectNamespace } from './levels/inject.decorators';

// Injectable services
export { FrontendMetrics } from './frontend/frontend-metrics.service';
export type { ModelConfig } from './frontend/frontend-metrics.service';
export type { FrontendRequest, TokenUsage } from './frontend/frontend-request';
export type { FrontendErrorType } from './frontend/frontend-metrics.constants';
export { HealthService } from './exposure/health.service';
export { SystemServer } from './exposure/system-server.service';

// Guards: is this the in-app /metrics route?
export { isDynamoMetricsRoute } from './exposure/dynamo-metrics-route';

// Node cluster mode: the primary's server
export { startClusterMetricsServer } from './exposure/cluster-metrics-server';
