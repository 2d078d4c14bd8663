import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DiscoveryModule, ModulesContainer } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DistributedRuntime, Namespace } from '../core';
import { DEFAULT_METRICS_PATH, DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type {
  DynamoMetricsConfig,
  DynamoMetricsModuleOptions,
} from '../config/dynamo-metrics-options.interface';
import {
  ConfigurableModuleClass,
  DynamoMetricsModuleAsyncOptions,
} from '../config/dynamo-metrics.module-definition';
import { resolveConfig } from '../config/environment';
import { DynamoMetricsController } from '../exposure/dynamo-metrics.controller';
import { servesMetricsInApp } from '../exposure/dynamo-metrics-route';
import { HealthService } from '../exposure/health.service';
import { MetricsExporter } from '../exposure/metrics-exporter.service';
import { SystemServer } from '../exposure/system-server.service';
import { FrontendMetrics } from '../frontend/frontend-metrics.service';
import { unmountController } from '../instrumentation/nest-internals';
import { createLevelProviders } from '../levels/level-providers';
import { DYNAMO_METRICS_PROVIDERS } from './dynamo-metrics.providers';

/**
 * Dynamo-style metrics for a Nest application: injectable registries at every level, the
 * @DynamoEndpoint() explorer, LLM frontend metrics and environment-driven exposure. Global, so
 * any module can inject the runtime, a namespace, component or endpoint.
 */
@Module({})
export class DynamoMetricsModule extends ConfigurableModuleClass {
  static override forRoot(options: DynamoMetricsModuleOptions = {}): DynamicModule {
    // Validated here too, so a bad environment fails where the app is defined.
    const config = resolveConfig(options);
    return withProviders(
      super.forRoot(options),
      servesMetricsInApp(config),
      config.system.metricsPath,
    );
  }

  /**
   * Options from a factory are known only once providers are created, after the module is
   * defined: the in-app route (at `metricsPath`, default `/metrics`) is declared, and unmounted
   * before routes are registered unless the options serve metrics in-app.
   */
  static override forRootAsync(options: DynamoMetricsModuleAsyncOptions): DynamicModule {
    return withProviders(
      super.forRootAsync(options),
      'decide-at-start-up',
      options.metricsPath ?? DEFAULT_METRICS_PATH,
    );
  }
}

/** Decides, once the async options are resolved, whether the declared route stays mounted. */
const IN_APP_ROUTE = Symbol('DynamoMetricsInAppRoute');

function unmountUnlessServed(controller: typeof DynamoMetricsController): Provider {
  return {
    provide: IN_APP_ROUTE,
    inject: [DYNAMO_METRICS_CONFIG, ModulesContainer],
    useFactory: (config: DynamoMetricsConfig, modules: ModulesContainer) =>
      servesMetricsInApp(config) || !unmountController(modules, controller),
  };
}

function metricsControllerFor(): typeof DynamoMetricsController {
  const controller = class extends DynamoMetricsController {};
  Object.defineProperty(controller, 'name', { value: 'DynamoMetricsController' });
  return controller;
}

function withProviders(
  base: DynamicModule,
  serveInApp: boolean | 'decide-at-start-up',
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
  // willsoto stores the path on the controller class: one class per module definition, so two
  // definitions (two apps, or tests) keep their own paths.
  const controller = metricsControllerFor();
  const metricsRoute = serveInApp
    ? [
        PrometheusModule.register({
          controller,
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
    providers: [
      ...(base.providers ?? []),
      ...DYNAMO_METRICS_PROVIDERS,
      ...levels,
      ...(serveInApp === 'decide-at-start-up' ? [unmountUnlessServed(controller)] : []),
    ],
    exports: [...(base.exports ?? []), ...exported],
  };
}
