import type { FamilyDefinition, MetricType } from './family-definition';
import { FamilyBudget, OVERFLOW_LABEL_VALUE, SeriesOverflowReason } from './series-budget';
import { RenderGate } from './render-gate';
import { AnySeries, CounterSeries, GaugeSeries, HistogramSeries, SeriesLabels } from './series';

/** One sample as prom-client's Registry formats it (see prom-client lib/registry.js). */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels?: SeriesLabels;
  value: number;
  metricName?: string;
}

interface PromMetricData {
  name: string;
  help: string;
  type: MetricType;
  values: Sample[];
  aggregator: string;
}

const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

type Node = Map<string, Node | AnySeries>;

/**
 * All series of one metric name inside one runtime. It presents prom-client's metric interface
 * (name, help, type, get, getForPromString, reset), so prom-client's Registry does the exposition
 * and its cluster aggregator can merge it, while updates stay on the project's bound series.
 */
export class MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /**
   * How prom-client style cluster aggregation merges this metric across workers (`sum`, `max`,
   * ...); set it with DistributedRuntime.setAggregator().
   */
  aggregator: string;
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
  /** Sample objects per series, refreshed in place at each scrape (see pushHistogram). */
  private readonly samples = new WeakMap<AnySeries, Sample[]>();
  private readonly bounds?: Float64Array;
  /** Bucket `le` label objects, shared by all series so prom-client's label cache hits. */
  private readonly leLabels?: ReadonlyArray<Record<string, string | number>>;

  constructor(readonly definition: FamilyDefinition) {
    this.name = definition.name;
    this.help = definition.help;
    this.type = definition.type;
    this.aggregator = 'sum';
    if (definition.buckets) {
      this.bounds = Float64Array.from(definition.buckets);
      this.leLabels = [...definition.buckets.map((le) => ({ le })), { le: '+Inf' }];
    }
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

  /** prom-client's fast path: labels shared by all samples of a series are passed once. */
  getForPromString(filter?: (s: AnySeries) => boolean): PromMetricData {
    for (const hook of this.collectHooks) hook();
    const values: Sample[] = [];
    for (const s of this.series) {
      if (filter && !filter(s)) continue;
      if (s instanceof HistogramSeries) {
        this.pushHistogram(values, s);
      } else {
        let sample = this.samples.get(s)?.[0];
        if (!sample) {
          sample = { labels: NO_LABELS, sharedLabels: s.labels, value: 0 };
          this.samples.set(s, [sample]);
        }
        sample.value = s.value;
        values.push(sample);
      }
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  /** Full labels on every sample, as prom-client's AggregatorRegistry and JSON output expect. */
  get(filter?: (s: AnySeries) => boolean): PromMetricData {
    const data = this.getForPromString(filter);
    data.values = data.values.map(({ labels, sharedLabels, value, metricName }) => ({
      labels: { ...labels, ...sharedLabels },
      value,
      metricName,
    }));
    return data;
  }

  private pushHistogram(values: Sample[], s: HistogramSeries): void {
    // One set of sample objects per series, refreshed in place: a scrape of many series
    // allocates nothing per sample (the registry formats them synchronously once fetched).
    let samples = this.samples.get(s);
    if (!samples) {
      const bucketName = `${this.name}_bucket`;
      samples = this.leLabels!.map((labels) => ({
        labels,
        sharedLabels: s.labels,
        value: 0,
        metricName: bucketName,
      }));
      samples.push(
        { labels: NO_LABELS, sharedLabels: s.labels, value: 0, metricName: `${this.name}_sum` },
        { labels: NO_LABELS, sharedLabels: s.labels, value: 0, metricName: `${this.name}_count` },
      );
      this.samples.set(s, samples);
    }
    const n = s.bounds.length;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += s.counts[i]!;
      samples[i]!.value = acc;
    }
    samples[n]!.value = s.count;
    samples[n + 1]!.value = s.sum;
    samples[n + 2]!.value = s.count;
    for (const sample of samples) values.push(sample);
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
