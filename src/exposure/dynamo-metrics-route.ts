import type { ExecutionContext } from '@nestjs/common';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { DynamoMetricsController } from './dynamo-metrics.controller';

/** Whether the app's own server answers the metrics route (enabled, no system port). */
export const servesMetricsInApp = ({ system }: DynamoMetricsConfig): boolean =>
  system.enabled && system.port === undefined;

/**
 * For guards: whether the request is for the in-app metrics route, so a global guard can let
 * the scraper through in one line: `if (isDynamoMetricsRoute(context)) return true;`.
 * Each module definition mounts its own subclass of DynamoMetricsController (it carries the
 * route's path), hence the prototype check rather than `===`.
 */
export function isDynamoMetricsRoute(context: ExecutionContext): boolean {
  const handlerClass: unknown = context.getClass();
  if (typeof handlerClass !== 'function') return false;
  return (
    handlerClass === DynamoMetricsController ||
    handlerClass.prototype instanceof DynamoMetricsController
  );
}
