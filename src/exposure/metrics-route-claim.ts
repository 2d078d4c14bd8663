import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { DynamoMetricsError } from '../core';
import { CONFIG_MESSAGES } from '../config/config.messages';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import {
  mountedControllers,
  PATH_METADATA,
  unmountController,
} from '../instrumentation/nest-internals';
import { DynamoMetricsController } from './dynamo-metrics.controller';

/** Outcome of a claim, for the start-up log. */
export interface RouteClaim {
  /** Path of the PrometheusModule route this module took over, if any. */
  tookOver?: string;
}

const normalise = (path: unknown): string => `/${String(path ?? '').replace(/^\/+|\/+$/g, '')}`;

/**
 * A team moving from @willsoto/nestjs-prometheus keeps `PrometheusModule.register()` for a while.
 * Both modules map `GET /metrics`, and the first route registered would silently shadow the
 * other. When this module serves the route in-app, it owns it: willsoto's controller on the same
 * path is unmounted (its metrics are in prom-client's global registry, which this route
 * includes), or, with `includeGlobalRegistry: false`, start-up stops naming the fix. Runs while
 * providers are created, before Nest registers routes.
 */
export function claimMetricsRoute(
  modules: Map<unknown, unknown>,
  config: DynamoMetricsConfig,
): RouteClaim {
  const path = normalise(config.system.metricsPath);
  const theirs = mountedControllers(modules).filter(
    (c) =>
      (c === PrometheusController || c.prototype instanceof PrometheusController) &&
      c !== DynamoMetricsController &&
      !(c.prototype instanceof DynamoMetricsController) &&
      normalise(Reflect.getMetadata(PATH_METADATA, c)) === path,
  );
  if (theirs.length === 0) return {};
  if (!config.includeGlobalRegistry) {
    throw new DynamoMetricsError(CONFIG_MESSAGES.prometheusModuleRouteClash(path));
  }
  for (const controller of theirs) unmountController(modules, controller);
  return { tookOver: path };
}
