import { DistributedRuntime, OVERFLOW_LABEL_VALUE, WorkerMetrics, WorkerMetricsVec } from '../core';
import type { ModelAdmission } from '../instrumentation/model-admission';

type LabelFunction = (args: unknown[]) => unknown;

/** The label whose values the model admission decides (as on the frontend's metrics). */
const MODEL_LABEL = 'model';

/**
 * Per-call labels of one decorated method: the label values come from the call's arguments,
 * and the worker metrics of each distinct set of values are resolved once (WorkerMetricsVec).
 *
 * Values come from clients, so they are bounded twice: a `model` label goes through the model
 * admission shared with the frontend (its budget and allow-list), and the endpoint keeps at most
 * `maxLabelSets` distinct sets; later sets are recorded with every per-call label `__overflow__`
 * and counted in `series_overflow_total{metric="<requests_total>"}`.
 */
export class CallLabels {
  private readonly functions: readonly LabelFunction[];
  private readonly modelIndex: number;
  private readonly admitted = new Set<string>();
  private readonly overflowValues: readonly string[];

  constructor(
    private readonly vec: WorkerMetricsVec,
    labels: Readonly<Record<string, LabelFunction>>,
    private readonly models: ModelAdmission,
    private readonly runtime: DistributedRuntime,
    private readonly maxLabelSets: number,
  ) {
    this.functions = vec.labelNames.map((name) => labels[name]!);
    this.modelIndex = vec.labelNames.indexOf(MODEL_LABEL);
    this.overflowValues = vec.labelNames.map(() => OVERFLOW_LABEL_VALUE);
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
    return this.vec.labels(this.admit(values));
  }

  /** The metric overflows are counted under: the endpoint's `requests_total`. */
  private get metricName(): string {
    return this.vec.metricName;
  }

  private admit(values: string[]): readonly string[] {
    // Length-prefixed: two different value lists never share a key.
    const key = values.map((v) => `${v.length}:${v}`).join('');
    if (this.admitted.has(key)) return values;
    if (values.every((v) => v === OVERFLOW_LABEL_VALUE)) return values;
    if (this.admitted.size >= this.maxLabelSets) {
      this.runtime.recordSeriesOverflow({
        metric: this.metricName,
        reason: 'series-budget',
        limit: this.maxLabelSets,
        label: 'per-call label',
      });
      return this.overflowValues;
    }
    this.admitted.add(key);
    return values;
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
