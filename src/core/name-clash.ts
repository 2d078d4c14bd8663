import { MESSAGES } from './core.messages';
import { DynamoMetricsError } from './dynamo-metrics.error';

/** A metric as far as name clashes go: its name and type (ours or prom-client's). */
export interface NamedMetric {
  readonly name: string;
  readonly type: string;
}

/**
 * Every name a metric occupies in either format: its family names and its sample names. A
 * counter `x` or `x_total` is the OpenMetrics family `x` with samples `x_total`; a histogram `x`
 * writes `x_bucket`, `x_sum` and `x_count`; a summary `x_sum` and `x_count`. Two metrics that
 * share any of these are read by Prometheus or an OpenMetrics parser as one (or as a broken one).
 */
export function occupiedNames({ name, type }: NamedMetric): string[] {
  switch (type) {
    case 'counter': {
      const base = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
      return [base, `${base}_total`];
    }
    case 'histogram':
      return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
    case 'summary':
      return [name, `${name}_sum`, `${name}_count`];
    default:
      return [name];
  }
}

/** The names taken by the metrics of one runtime, checked before each new family is added. */
export class NameClashIndex {
  private readonly owners = new Map<string, NamedMetric>();

  /** Throws, naming both metrics, when `metric` would clash with one already added. */
  check(metric: NamedMetric, where = 'metric'): void {
    for (const taken of occupiedNames(metric)) {
      const owner = this.owners.get(taken);
      if (owner && owner.name !== metric.name) throw clash(metric, owner, where);
    }
  }

  add(metric: NamedMetric): void {
    for (const taken of occupiedNames(metric)) this.owners.set(taken, metric);
  }

  /** Checks foreign metrics (prom-client's global registry) against this index. */
  checkForeign(metrics: Iterable<NamedMetric>, where: string): void {
    for (const foreign of metrics) {
      for (const taken of occupiedNames(foreign)) {
        const owner = this.owners.get(taken);
        if (owner) throw clash(owner, foreign, where);
      }
    }
  }
}

const clash = (metric: NamedMetric, other: NamedMetric, where: string): DynamoMetricsError =>
  new DynamoMetricsError(
    MESSAGES.nameClash(metric.name, metric.type, other.name, other.type, where),
  );
