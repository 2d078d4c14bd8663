import { Inject, Injectable } from '@nestjs/common';
import {
  DistributedRuntime,
  OVERFLOW_LABEL_VALUE,
  SeriesOverflowReason,
  wellFormed,
} from '../core';
import { DYNAMO_METRICS_CONFIG } from '../config/dynamo-metrics.constants';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';

/**
 * Which client-supplied `model` values any metric may carry: the frontend's `model` label and a
 * `model` per-call label on worker metrics ask the same instance, so one budget
 * (`frontend.maxModels`, default 100) and one allow-list (`frontend.models`) bound them all.
 * Each model costs ~80 exposition lines across the frontend families and ~40 per labelled
 * endpoint, so the budget is what keeps a client sending random models from growing `/metrics`.
 *
 * One rule for every value: surrounding blanks trimmed, lower-cased; a value that is not a
 * string, is blank, equals the overflow marker (any case), is longer than the label value limit,
 * is not allowed, or comes after the budget is full reads `__overflow__`, and is counted in
 * `<prefix>_series_overflow_total{metric}` under the metric that asked.
 */
@Injectable()
export class ModelAdmission {
  private readonly admitted = new Set<string>();
  private readonly maxModels: number;
  private readonly allowed: DynamoMetricsConfig['frontendModels'];
  private readonly maxLength: number;

  constructor(
    private readonly runtime: DistributedRuntime,
    @Inject(DYNAMO_METRICS_CONFIG)
    config: Pick<DynamoMetricsConfig, 'frontendMaxModels' | 'frontendModels'>,
  ) {
    this.allowed = config.frontendModels;
    // A list names the models served: all of them fit, even past the default budget.
    const listed = this.allowed instanceof Set ? this.allowed.size : 0;
    this.maxModels = Math.max(config.frontendMaxModels, listed);
    this.maxLength = runtime.seriesBudget.maxLabelValueLength;
  }

  /** Distinct models admitted so far (at most the budget). */
  get size(): number {
    return this.admitted.size;
  }

  /** The `model` label of a client's value; an overflow is counted under `metric`. */
  label(model: unknown, metric: string): string {
    if (typeof model !== 'string') return this.overflow(metric, 'invalid-value', this.maxModels);
    // Checked before anything is copied: an over-long name is never kept.
    if (model.length > this.maxLength) return this.overflow(metric, 'value-length', this.maxLength);
    const name = wellFormed(model.trim().toLowerCase());
    if (this.admitted.has(name)) return name;
    if (name === '' || name === OVERFLOW_LABEL_VALUE) {
      return this.overflow(metric, 'invalid-value', this.maxModels);
    }
    if (this.allowed && !this.isAllowed(name)) {
      return this.overflow(metric, 'not-allowed', this.maxModels);
    }
    if (this.admitted.size >= this.maxModels) {
      return this.overflow(metric, 'series-budget', this.maxModels);
    }
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

  private overflow(metric: string, reason: SeriesOverflowReason, limit: number): string {
    this.runtime.recordSeriesOverflow({ metric, reason, limit, label: 'model' });
    return OVERFLOW_LABEL_VALUE;
  }
}
