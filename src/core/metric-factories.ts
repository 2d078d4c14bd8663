import type { MetricType } from './family-definition';
import type { LabelValue } from './metric-vec';

export type ConstLabels = Record<string, LabelValue>;

/** What one factory method of MetricsLevel creates; its name appears in error messages. */
export interface FactorySpec {
  readonly factory: string;
  readonly type: MetricType;
  readonly integer: boolean;
}

const specs = <T extends Record<string, readonly [MetricType, boolean]>>(
  table: T,
): { readonly [K in keyof T]: FactorySpec } =>
  Object.freeze(
    Object.fromEntries(
      Object.entries(table).map(([factory, [type, integer]]) => [
        factory,
        Object.freeze({ factory, type, integer }),
      ]),
    ),
  ) as { readonly [K in keyof T]: FactorySpec };

/** Every factory method of MetricsLevel, by name: [metric type, integer values only]. */
export const FACTORIES = specs({
  createCounter: ['counter', false],
  createIntCounter: ['counter', true],
  createGauge: ['gauge', false],
  createIntGauge: ['gauge', true],
  createHistogram: ['histogram', false],
  createCounterVec: ['counter', false],
  createIntCounterVec: ['counter', true],
  createGaugeVec: ['gauge', false],
  createIntGaugeVec: ['gauge', true],
  createHistogramVec: ['histogram', false],
});

/** One call of a factory method: its spec and the arguments as given (validated later). */
export interface MetricRequest {
  readonly spec: FactorySpec;
  readonly name: string;
  readonly help: string;
  readonly constLabels?: ConstLabels;
  /** Given by the Vec factories only. */
  readonly labelNames?: readonly string[];
  readonly buckets?: readonly number[];
  readonly extra: unknown[];
}
