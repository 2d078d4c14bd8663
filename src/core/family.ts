import type { FamilyDefinition, MetricType } from './family-definition';
import { FamilyBudget, OVERFLOW_LABEL_VALUE, SeriesOverflowReason } from './series-budget';
import { RenderGate } from './render-gate';
import { HistogramSeries } from './histogram-series';
import { AnySeries, CounterSeries, GaugeSeries } from './series';

type Node = Map<string, Node | AnySeries>;

/**
 * All series of one metric name inside one runtime, found by their label values: storage only.
 * Reading them is `collect.ts`'s, writing them `render/`'s, prom-client's view `prom-registry.ts`'s.
 */
export class MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /**
   * How the cluster primary merges this metric across workers (`sum`, `max`, ...); set it with
   * DistributedRuntime.setAggregator().
   */
  aggregator = 'sum';
  readonly series: AnySeries[] = [];
  /** Renders reading the histogram series a slice at a time (see RenderGate). */
  readonly gate = new RenderGate();
  /** Hooks run just before every scrape (for values that must be fresh, such as uptime). */
  readonly collectHooks: Array<() => void> = [];
  private readonly root: Node = new Map();
  /** Set by the store: the limits of this metric's label sets (none for plain metrics). */
  budget?: FamilyBudget;
  /** Overflow series do not count against the budget. */
  private readonly overflowSeries = new Set<AnySeries>();
  private readonly bounds?: Float64Array;

  constructor(readonly definition: FamilyDefinition) {
    this.name = definition.name;
    this.help = definition.help;
    this.type = definition.type;
    if (definition.buckets) this.bounds = Float64Array.from(definition.buckets);
  }

  /**
   * The series for these label values (in `labelNames` order), created on first use.
   * `variable` lists the positions of the caller's variable labels: with a budget, a new label
   * set past it, or with a variable value over the length limit, gets the overflow series (its
   * variable labels read `__overflow__`, fixed ones keep their values) and is counted.
   */
  resolve(
    values: readonly string[],
    path: readonly string[],
    variable?: readonly number[],
  ): AnySeries {
    const names = this.definition.labelNames;
    if (names.length === 0) {
      return this.series[0] ?? this.add(values, path);
    }
    const budget = variable && variable.length > 0 ? this.budget : undefined;
    if (budget) {
      // Checked before the lookup: an over-long value never becomes a key.
      for (const i of variable!) {
        if (values[i]!.length > budget.maxLabelValueLength) {
          return this.overflow(values, path, variable!, 'value-length');
        }
      }
    }
    const found = this.lookup(values);
    if (found) return found;
    if (budget && this.series.length - this.overflowSeries.size >= budget.maxSeries) {
      return this.overflow(values, path, variable!, 'series-budget');
    }
    return this.insert(values, this.add(values, path));
  }

  private overflow(
    values: readonly string[],
    path: readonly string[],
    variable: readonly number[],
    reason: SeriesOverflowReason,
  ): AnySeries {
    const key = [...values];
    for (const i of variable) key[i] = OVERFLOW_LABEL_VALUE;
    let series = this.lookup(key);
    if (!series) {
      series = this.insert(key, this.add(key, path));
      this.overflowSeries.add(series);
    }
    this.budget!.overflowed(reason);
    return series;
  }

  private lookup(values: readonly string[]): AnySeries | undefined {
    let node: Node | undefined = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last && node; i++) node = node.get(values[i]!) as Node | undefined;
    return node?.get(values[last]!) as AnySeries | undefined;
  }

  private insert(values: readonly string[], series: AnySeries): AnySeries {
    let node = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Node | undefined;
      if (!next) {
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    node.set(values[last]!, series);
    return series;
  }

  /** Removes one series; later use of the same label values starts a fresh one. */
  remove(values: readonly string[]): boolean {
    const nodes: Node[] = [this.root];
    for (let i = 0; i < values.length - 1; i++) {
      const next = nodes[i]!.get(values[i]!) as Node | undefined;
      if (!next) return false;
      nodes.push(next);
    }
    const leaf = nodes[nodes.length - 1]!;
    const series = leaf.get(values[values.length - 1]!) as AnySeries | undefined;
    if (!series) return false;
    leaf.delete(values[values.length - 1]!);
    this.series.splice(this.series.indexOf(series), 1);
    this.overflowSeries.delete(series);
    return true;
  }

  reset(): void {
    for (const s of this.series) s.reset();
  }

  private add(values: readonly string[], path: readonly string[]): AnySeries {
    const names = this.definition.labelNames;
    const labels: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) labels[names[i]!] = values[i]!;
    Object.freeze(labels);
    const { type, integer } = this.definition;
    const series =
      type === 'counter'
        ? new CounterSeries(this.name, labels, path, integer)
        : type === 'gauge'
          ? new GaugeSeries(this.name, labels, path, integer)
          : new HistogramSeries(this.name, labels, path, integer, this.bounds!, this.gate);
    this.series.push(series);
    return series;
  }
}
