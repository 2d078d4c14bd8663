import {
  DistributedRuntime,
  OVERFLOW_LABEL_VALUE,
  SeriesOverflowReason,
  wellFormed,
} from '../core';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';

/**
 * The frontend's `model` label: each model costs ~80 exposition lines across the frontend
 * families, so models get a budget of their own (`frontend.maxModels`, default 100) and an
 * optional allow-list (`frontend.models`). Any other model is recorded as `__overflow__` and
 * counted in `<prefix>_series_overflow_total{metric="<frontend>_requests_total"}`, once per request.
 */
export class ModelBudget {
  private readonly admitted = new Set<string>();
  private readonly maxModels: number;
  private readonly allowed: DynamoMetricsConfig['frontendModels'];
  private readonly maxLength: number;

  constructor(
    private readonly runtime: DistributedRuntime,
    /** The metric overflowed requests are counted under. */
    private readonly metric: string,
    config: Pick<DynamoMetricsConfig, 'frontendMaxModels' | 'frontendModels'>,
  ) {
    this.allowed = config.frontendModels;
    // A list names the models served: all of them fit, even past the default budget.
    const listed = this.allowed instanceof Set ? this.allowed.size : 0;
    this.maxModels = Math.max(config.frontendMaxModels, listed);
    this.maxLength = runtime.seriesBudget.maxLabelValueLength;
  }

  /** The `model` label for a requested model: its lower-cased name, or `__overflow__`. */
  label(model: string): string {
    // Checked before lower-casing: an over-long name is never copied or kept.
    if (model.length > this.maxLength) return this.overflow('value-length', this.maxLength);
    const name = wellFormed(model.toLowerCase());
    if (this.admitted.has(name)) return name;
    if (this.allowed && !this.isAllowed(name)) return this.overflow('not-allowed', this.maxModels);
    if (this.admitted.size >= this.maxModels) return this.overflow('series-budget', this.maxModels);
    this.admitted.add(name);
    return name;
  }

  private isAllowed(name: string): boolean {
    const allowed = this.allowed!;
    if (typeof allowed !== 'function') return allowed.has(name);
    try {
      return allowed(name) === true;
    } catch {
      // A failing predicate must not fail the request; the model is not one it vouches for.
      return false;
    }
  }

  private overflow(reason: SeriesOverflowReason, limit: number): string {
    this.runtime.recordSeriesOverflow({ metric: this.metric, reason, limit, label: 'model' });
    return OVERFLOW_LABEL_VALUE;
  }
}
