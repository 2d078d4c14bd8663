import {
  defineWorkerFamilies,
  DistributedRuntime,
  Endpoint,
  OVERFLOW_LABEL_VALUE,
  tupleKey,
  WorkerMetrics,
  WorkerMetricsOptions,
} from '../core';
import type { ModelAdmission } from '../instrumentation/model-admission';

type LabelFunction = (args: unknown[]) => unknown;

/** The label whose values the model admission decides (as on the frontend's metrics). */
const MODEL_LABEL = 'model';

/** Where a recorder gets the worker metrics of one call: fixed, or by its per-call labels. */
export interface CallMetrics {
  metricsFor(args: unknown[]): WorkerMetrics;
}

/** The same metrics for every call. */
export const fixedMetrics = (metrics: WorkerMetrics): CallMetrics => ({
  metricsFor: () => metrics,
});

/**
 * Per-call labels of one decorated method: the label values come from the call's arguments,
 * and the worker metrics of each distinct set of values are resolved once.
 *
 * Values come from clients, so they are bounded twice: a `model` label goes through the model
 * admission shared with the frontend (its budget and allow-list), and the endpoint keeps at most
 * `maxLabelSets` distinct sets; later sets are recorded with every per-call label `__overflow__`
 * and counted in `series_overflow_total{metric="<requests_total>"}`.
 */
export class CallLabels implements CallMetrics {
  private readonly labelNames: readonly string[];
  private readonly functions: readonly LabelFunction[];
  private readonly modelIndex: number;
  /** The metric overflows are counted under: the endpoint's `requests_total`. */
  private readonly metricName: string;
  /** Admitted sets by key; the all-`__overflow__` set is kept apart (it takes no budget). */
  private readonly bound = new Map<string, WorkerMetrics>();
  private overflow?: WorkerMetrics;

  /** Creates the endpoint's labelled families now; a conflict of label names throws here. */
  constructor(
    private readonly endpoint: Endpoint,
    labels: Readonly<Record<string, LabelFunction>>,
    private readonly extras: Omit<WorkerMetricsOptions, 'labels'>,
    private readonly models: ModelAdmission,
    private readonly runtime: DistributedRuntime,
    private readonly maxLabelSets: number,
  ) {
    this.labelNames = Object.keys(labels);
    this.functions = this.labelNames.map((name) => labels[name]!);
    this.modelIndex = this.labelNames.indexOf(MODEL_LABEL);
    this.metricName = defineWorkerFamilies(endpoint, this.labelNames, extras);
  }

  metricsFor(args: unknown[]): WorkerMetrics {
    const fns = this.functions;
    const values = new Array<string>(fns.length);
    for (let i = 0; i < fns.length; i++) {
      values[i] =
        i === this.modelIndex
          ? this.models.label(safeCall(fns[i]!, args), this.metricName)
          : labelValue(fns[i]!, args);
    }
    // Every set of this endpoint has the same arity: one value is its own key.
    const key = values.length === 1 ? values[0]! : tupleKey(values);
    return this.bound.get(key) ?? this.admit(key, values);
  }

  private admit(key: string, values: string[]): WorkerMetrics {
    if (values.every((v) => v === OVERFLOW_LABEL_VALUE)) return this.overflowMetrics();
    if (this.bound.size >= this.maxLabelSets) {
      this.runtime.recordSeriesOverflow({
        metric: this.metricName,
        reason: 'series-budget',
        limit: this.maxLabelSets,
        label: 'per-call label',
      });
      return this.overflowMetrics();
    }
    const metrics = this.resolve(values);
    this.bound.set(key, metrics);
    return metrics;
  }

  private overflowMetrics(): WorkerMetrics {
    return (this.overflow ??= this.resolve(this.labelNames.map(() => OVERFLOW_LABEL_VALUE)));
  }

  private resolve(values: readonly string[]): WorkerMetrics {
    const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]!]));
    return new WorkerMetrics(this.endpoint, { ...this.extras, labels });
  }
}

/** A user's label function, which must never break the call it labels. */
function safeCall(fn: LabelFunction, args: unknown[]): unknown {
  try {
    return fn(args);
  } catch {
    return undefined;
  }
}

function labelValue(fn: LabelFunction, args: unknown[]): string {
  const value = safeCall(fn, args);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
