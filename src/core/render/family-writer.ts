import type { MetricFamily } from '../family';
import { exemplarTimestamp } from '../exemplar';
import { AnySeries, HistogramSeries } from '../series';
import { ExpositionBytes } from './exposition-bytes';
import { escapeHelp, familyName, labelPairs } from './text-format';

/**
 * The values of some series of one family taken at one instant, so that a family written in
 * several slices still shows one consistent state. Histograms: per series the cumulative bucket
 * counts (the last one, +Inf, is the count), then the sum.
 */
export interface FamilySnapshot {
  readonly series: readonly AnySeries[];
  readonly values: Float64Array;
  readonly stride: number;
  /**
   * Histograms with exemplars: per series (by index) the ` # {labels} value timestamp` tail of
   * each bucket line that has one, taken with the values. Absent when no series has any.
   */
  readonly exemplars?: Array<Array<string | undefined> | undefined>;
}

const OPEN_BRACE = 123;
const COMMA = 44;
const SPACE = 32;
const CLOSE_AND_SPACE = Buffer.from('} ');
/** Room for the separator, a value and the line feed after a name and labels. */
const VALUE_ROOM = 32;

const writers = new WeakMap<MetricFamily, FamilyWriter>();

/**
 * Writes one family's exposition lines. The label text of each series is encoded once, on its
 * first scrape, and reused by every scrape after: a scrape only writes numbers.
 */
export class FamilyWriter {
  static of(family: MetricFamily): FamilyWriter {
    let writer = writers.get(family);
    if (!writer) {
      writer = new FamilyWriter(family);
      writers.set(family, writer);
    }
    return writer;
  }

  private readonly labelText = new WeakMap<AnySeries, Uint8Array>();
  private readonly promHeader: Buffer;
  private readonly openHeader: Buffer;
  /** Sample name of counters and gauges, per format. */
  private readonly promSample: Buffer;
  private readonly openSample: Buffer;
  /** `name_bucket{le="0.005"`, ..., `name_bucket{le="+Inf"`. */
  private readonly bucketHeads: readonly Buffer[];
  private readonly sumName: Buffer;
  private readonly countName: Buffer;
  private readonly bounds: number;

  private constructor(readonly family: MetricFamily) {
    const { name, help, type } = family;
    const header = (shown: string) =>
      Buffer.from(
        `# HELP ${escapeHelp(shown)} ${escapeHelp(help)}\n# TYPE ${escapeHelp(shown)} ${type}\n`,
      );
    const openName = familyName(name, type, true);
    this.promHeader = header(name);
    this.openHeader = header(openName);
    this.promSample = Buffer.from(name);
    this.openSample = Buffer.from(type === 'counter' ? `${openName}_total` : name);
    const buckets = family.definition.buckets ?? [];
    this.bounds = buckets.length;
    this.bucketHeads = [...buckets.map(String), '+Inf'].map((le) =>
      Buffer.from(`${name}_bucket{le="${le}"`),
    );
    this.sumName = Buffer.from(`${name}_sum`);
    this.countName = Buffer.from(`${name}_count`);
  }

  /** Runs the family's collect hooks, then copies the values of its series (those `filter` keeps). */
  snapshot(filter?: (s: AnySeries) => boolean): FamilySnapshot {
    const family = this.family;
    for (const hook of family.collectHooks) hook();
    const all = family.series;
    const series = filter ? all.filter(filter) : all.slice();
    const histogram = family.type === 'histogram';
    const n = this.bounds;
    const stride = histogram ? n + 2 : 1;
    const values = new Float64Array(series.length * stride);
    let exemplars: FamilySnapshot['exemplars'];
    let wallOffset: number | undefined;
    for (let k = 0; k < series.length; k++) {
      const s = series[k]!;
      if (histogram) {
        const h = s as HistogramSeries;
        if (h.exemplars) {
          // Only series that were given exemplars pay for this (exemplars are opt-in).
          wallOffset ??= Date.now() - performance.now();
          const offset = wallOffset;
          (exemplars ??= [])[k] = h.exemplars.map(
            (e) => e && ` # ${e.exemplar.text} ${e.value} ${exemplarTimestamp(e.at, offset)}\n`,
          );
        }
        const base = k * stride;
        let acc = 0;
        for (let i = 0; i < n; i++) values[base + i] = acc += h.counts[i]!;
        values[base + n] = h.count;
        values[base + n + 1] = h.sum;
      } else {
        values[k] = (s as Exclude<AnySeries, HistogramSeries>).value;
      }
    }
    return { series, values, stride, exemplars };
  }

  writeHeader(out: ExpositionBytes, openMetrics: boolean): void {
    const header = openMetrics ? this.openHeader : this.promHeader;
    out.reserve(header.length);
    out.bytes(header);
  }

  /** The lines of series `from` (inclusive) to `to` (exclusive) of a snapshot. */
  write(
    out: ExpositionBytes,
    snap: FamilySnapshot,
    from: number,
    to: number,
    openMetrics: boolean,
  ): void {
    const { series, values, stride, exemplars } = snap;
    if (this.family.type !== 'histogram') {
      const name = openMetrics ? this.openSample : this.promSample;
      for (let k = from; k < to; k++) {
        this.sample(out, name, this.labelsOf(series[k]!), values[k]!);
      }
      return;
    }
    const heads = this.bucketHeads;
    const buckets = heads.length;
    for (let k = from; k < to; k++) {
      const text = this.labelsOf(series[k]!);
      const base = k * stride;
      // Exemplars exist only in OpenMetrics; the text format cannot carry them.
      const tails = openMetrics ? exemplars?.[k] : undefined;
      for (let i = 0; i < buckets; i++) {
        const head = heads[i]!;
        out.reserve(head.length + text.length + VALUE_ROOM);
        out.bytes(head);
        if (text.length > 0) {
          out.byte(COMMA);
          out.bytes(text);
        } else {
          out.bytes(CLOSE_AND_SPACE);
        }
        out.value(values[base + i]!);
        const tail = tails?.[i];
        // text() reserves its own room, line feed included.
        if (tail === undefined) out.newline();
        else out.text(tail);
      }
      this.sample(out, this.sumName, text, values[base + buckets]!);
      this.sample(out, this.countName, text, values[base + buckets - 1]!);
    }
  }

  /** `name{labels} value` or `name value`. */
  private sample(out: ExpositionBytes, name: Buffer, text: Uint8Array, value: number): void {
    out.reserve(name.length + text.length + VALUE_ROOM);
    out.bytes(name);
    if (text.length > 0) {
      out.byte(OPEN_BRACE);
      out.bytes(text);
    } else {
      out.byte(SPACE);
    }
    out.value(value);
    out.newline();
  }

  /** A series' label pairs and closing brace, `a="1",b="2"} `; empty without labels. */
  private labelsOf(s: AnySeries): Uint8Array {
    let text = this.labelText.get(s);
    if (!text) {
      const pairs = labelPairs(s.labels);
      text = pairs ? Buffer.from(`${pairs}} `) : new Uint8Array(0);
      this.labelText.set(s, text);
    }
    return text;
  }
}
