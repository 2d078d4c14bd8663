import type { WorkerMetrics, WorkerMetricsVec } from '../core';

type LabelFunction = (args: unknown[]) => unknown;

/**
 * Per-call labels of one decorated method: the label values come from the call's arguments,
 * and the worker metrics of each distinct set of values are resolved once (WorkerMetricsVec).
 */
export class CallLabels {
  private readonly functions: readonly LabelFunction[];

  constructor(
    private readonly vec: WorkerMetricsVec,
    labels: Readonly<Record<string, LabelFunction>>,
  ) {
    this.functions = vec.labelNames.map((name) => labels[name]!);
  }

  metricsFor(args: unknown[]): WorkerMetrics {
    const fns = this.functions;
    const values = new Array<string>(fns.length);
    for (let i = 0; i < fns.length; i++) values[i] = labelValue(fns[i]!, args);
    return this.vec.labels(values);
  }
}

/** A user's label function, which must never break the call it labels. */
function labelValue(fn: LabelFunction, args: unknown[]): string {
  let value: unknown;
  try {
    value = fn(args);
  } catch {
    return '';
  }
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
