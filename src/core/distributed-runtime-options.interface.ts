import type { Registry } from 'prom-client';
import type { NamingProfileName } from './naming-profile';
import type { SeriesBudgetOptions } from './series-budget';
import type { MetricCreatedEvent } from './store';

/** The options of `new DistributedRuntime(options)` (the module fills them from its own). */
export interface DistributedRuntimeOptions extends SeriesBudgetOptions {
  /**
   * Naming profile: `classic` (default; `dynamo_<name>{namespace,component,endpoint}`) or
   * `component` (today's Dynamo: `dynamo_component_<name>{dynamo_namespace,...}`).
   */
  naming?: NamingProfileName;
  /** Metric name prefix of the `classic` profile; `''` for none. Default `dynamo`. */
  prefix?: string;
  /**
   * Labels added to every metric created through a level (runtime, namespace, component,
   * endpoint; not withPrefix views), after the hierarchy labels: e.g. `{ model: 'llama-3-8b' }`
   * for a worker that serves one model.
   */
  labels?: Record<string, string | number>;
  /**
   * Include prom-client's global registry (where `@willsoto/nestjs-prometheus` and plain
   * prom-client metrics live) in the runtime's output. Default false in the core.
   */
  includeGlobalRegistry?: boolean;
  /** The registry to include when `includeGlobalRegistry` is true; default prom-client's global one. */
  globalRegistry?: Registry;
  /** Called for every metric created, e.g. to log registrations. */
  onMetricCreated?: (event: MetricCreatedEvent) => void;
}
