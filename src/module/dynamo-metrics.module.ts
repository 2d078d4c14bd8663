import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { DiscoveryModule, ModulesContainer } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DistributedRuntime, Namespace } from '../core';
import { LOG_MESSAGES } from '../config/config.messages';
import {
  DEFAULT_METRICS_PATH,
  DYNAMO_METRICS_CONFIG,
  LOGGER_CONTEXT,
} from '../config/dynamo-metrics.constants';
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
import { claimMetricsRoute } from '../exposure/metrics-route-claim';
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
    const config = tryResolveConfig(options);
    // A bad value is not thrown here, where the module is defined (at import, as a bare stack):
    // the configuration provider throws it again when the app is created, as Nest reports
    // start-up errors; until then the route is declared and decided at start-up.
    return config
      ? withProviders(super.forRoot(options), servesMetricsInApp(config), config.system.metricsPath)
      : withProviders(
          super.forRoot(options),
          'decide-at-start-up',
          typeof options.system?.metricsPath === 'string'
            ? options.system.metricsPath
            : DEFAULT_METRICS_PATH,
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

function tryResolveConfig(options: DynamoMetricsModuleOptions): DynamoMetricsConfig | undefined {
  try {
    return resolveConfig(options);
  } catch {
    return undefined;
  }
}

/** Decides, once the options are resolved, which `GET /metrics` route stays mounted. */
const IN_APP_ROUTE = Symbol('DynamoMetricsInAppRoute');
const logger = new Logger(LOGGER_CONTEXT);

/**
 * forRootAsync() declares the route before its options exist: unmounted unless they serve
 * metrics in-app. When this module serves the route, a PrometheusModule route on the same path
 * is taken over (see claimMetricsRoute). Routes are registered after every provider exists.
 */
function inAppRoute(controller: typeof DynamoMetricsController): Provider {
  return {
    provide: IN_APP_ROUTE,
    inject: [DYNAMO_METRICS_CONFIG, ModulesContainer],
    useFactory: (config: DynamoMetricsConfig, modules: ModulesContainer) => {
      if (!servesMetricsInApp(config)) return !unmountController(modules, controller);
      const claim = claimMetricsRoute(modules, config);
      if (claim.tookOver) logger.warn(LOG_MESSAGES.tookOverPrometheusRoute(claim.tookOver));
      return true;
    },
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
      ...(serveInApp ? [inAppRoute(controller)] : []),
    ],
    exports: [...(base.exports ?? []), ...exported],
  };
}
