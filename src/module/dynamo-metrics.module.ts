import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DistributedRuntime, Namespace } from '../core';
import { DEFAULT_METRICS_PATH, DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
} from '../config/dynamo-metrics.module-definition';
import { resolveConfig } from '../config/environment';
import { DynamoMetricsController } from '../exposure/dynamo-metrics.controller';
import { HealthService } from '../exposure/health.service';
import { MetricsExporter } from '../exposure/metrics-exporter.service';
import { SystemServer } from '../exposure/system-server.service';
import { FrontendMetrics } from '../frontend/frontend-metrics.service';
import { createLevelProviders } from '../levels/level-providers';
import { DYNAMO_METRICS_PROVIDERS } from './dynamo-metrics.providers';

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
    return withProviders(
      super.forRootAsync(options),
      true,
      options.metricsPath ?? DEFAULT_METRICS_PATH,
    );
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
    providers: [...(base.providers ?? []), ...DYNAMO_METRICS_PROVIDERS, ...levels],
    exports: [...(base.exports ?? []), ...exported],
  };
}
