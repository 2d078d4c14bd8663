import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DistributedRuntime, Namespace } from '../core';
import { DynamoMetricsController } from '../exposure/dynamo-metrics.controller';
import { resolveConfig } from '../exposure/environment';
import { HealthService } from '../exposure/health.service';
import { MetricsExporter } from '../exposure/metrics-exporter.service';
import { SystemServer } from '../exposure/system-server.service';
import { ClusterWorkerService } from './cluster-worker.service';
import { FrontendMetrics } from '../frontend/frontend-metrics.service';
import { LlmFrontendExplorer } from '../frontend/llm-frontend.explorer';
import { DynamoEndpointExplorer } from './dynamo-endpoint.explorer';
import { DYNAMO_METRICS_CONFIG } from './dynamo-metrics.constants';
import { RpcWireBytesService } from './rpc-wire-bytes.service';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  DYNAMO_METRICS_MODULE_OPTIONS,
  OPTIONS_TYPE,
} from './dynamo-metrics.module-definition';
import {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
} from './dynamo-metrics-options.interface';
import { createLevelProviders } from './injection-registry';

const logger = new Logger('DynamoMetrics');

const coreProviders: Provider[] = [
  {
    provide: DYNAMO_METRICS_CONFIG,
    inject: [DYNAMO_METRICS_MODULE_OPTIONS],
    useFactory: (options: DynamoMetricsModuleOptions) => resolveConfig(options),
  },
  {
    provide: DistributedRuntime,
    inject: [DYNAMO_METRICS_CONFIG],
    useFactory: (config: DynamoMetricsConfig) =>
      new DistributedRuntime({
        prefix: config.prefix,
        includeGlobalRegistry: config.includeGlobalRegistry,
        onMetricCreated: (e) =>
          logger.debug(
            `metric ${e.name} (${e.type}) at ${e.level}, labels [${e.labelNames.join(', ')}]` +
              (Object.keys(e.constLabels).length ? ` = ${JSON.stringify(e.constLabels)}` : ''),
          ),
      }),
  },
  {
    provide: Namespace,
    inject: [DistributedRuntime, DYNAMO_METRICS_CONFIG],
    useFactory: (runtime: DistributedRuntime, config: DynamoMetricsConfig) =>
      runtime.namespace(config.namespace),
  },
  HealthService,
  MetricsExporter,
  SystemServer,
  ClusterWorkerService,
  FrontendMetrics,
  DynamoEndpointExplorer,
  RpcWireBytesService,
  LlmFrontendExplorer,
];

/**
 * Dynamo-style metrics for a Nest application: injectable registries at every level, the
 * @DynamoEndpoint() explorer, LLM frontend metrics and environment-driven exposure. Global, so
 * any module can inject the runtime, a namespace, component or endpoint.
 */
@Module({})
export class DynamoMetricsModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    // Validated here too, so a bad environment fails where the app is defined.
    const config = resolveConfig(options);
    const serveInApp = config.system.enabled && config.system.port === undefined;
    return withProviders(super.forRoot(options), serveInApp, config.system.metricsPath);
  }

  /**
   * Options from a factory are known only at start-up, so the in-app `/metrics` route is always
   * registered (at `metricsPath`, default `/metrics`); it answers 404 unless metrics are enabled
   * without a system port.
   */
  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withProviders(super.forRootAsync(options), true, options.metricsPath ?? '/metrics');
  }
}

function metricsControllerFor(): typeof DynamoMetricsController {
  const controller = class extends DynamoMetricsController {};
  Object.defineProperty(controller, 'name', { value: 'DynamoMetricsController' });
  return controller;
}

function withProviders(
  base: DynamicModule,
  serveInApp: boolean,
  metricsPath: string,
): DynamicModule {
  const levels = createLevelProviders();
  const exported = [
    DYNAMO_METRICS_CONFIG,
    DistributedRuntime,
    Namespace,
    HealthService,
    MetricsExporter,
    SystemServer,
    FrontendMetrics,
    ...levels.map((p) => (p as { provide: string }).provide),
  ];
  const metricsRoute = serveInApp
    ? [
        PrometheusModule.register({
          // willsoto stores the path on the controller class: one class per module definition,
          // so two definitions (two apps, or tests) keep their own paths.
          controller: metricsControllerFor(),
          path: metricsPath,
          // Default process metrics are the module's `defaultMetrics` option, not willsoto's.
          defaultMetrics: { enabled: false },
        }),
      ]
    : [];
  return {
    ...base,
    global: true,
    imports: [...(base.imports ?? []), DiscoveryModule, ...metricsRoute],
    providers: [...(base.providers ?? []), ...coreProviders, ...levels],
    exports: [...(base.exports ?? []), ...exported],
  };
}
