import { FamilySnapshot, readHistograms } from '../collect';
import type { MetricFamily } from '../family';
import { exemplarTimestamp } from '../exemplar';
import type { AnySeries } from '../series';
import { ExpositionBytes } from './exposition-bytes';
import { familyHeader, familyName, labelPairs } from './text-format';

/** What follows a sample's name: with labels, `{` (buckets: `,`); without, ` ` (buckets: `} `). */
const OPEN_BRACE = 123;
const COMMA = 44;
const SPACE = Buffer.from(' ');
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

  private constructor(readonly family: MetricFamily) {
    const { name, help, type } = family;
    const header = (shown: string) => Buffer.from(familyHeader(shown, help, type));
    const openName = familyName(name, type, true);
    this.promHeader = header(name);
    this.openHeader = header(openName);
    this.promSample = Buffer.from(name);
    this.openSample = Buffer.from(type === 'counter' ? `${openName}_total` : name);
    const buckets = family.definition.buckets ?? [];
    this.bucketHeads = [...buckets.map(String), '+Inf'].map((le) =>
      Buffer.from(`${name}_bucket{le="${le}"`),
    );
    this.sumName = Buffer.from(`${name}_sum`);
    this.countName = Buffer.from(`${name}_count`);
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
    const { series, values } = snap;
    if (this.family.type !== 'histogram') {
      const name = openMetrics ? this.openSample : this.promSample;
      for (let k = from; k < to; k++) {
        this.sample(out, name, this.labelsOf(series[k]!), values[k]!);
      }
      return;
    }
    const heads = this.bucketHeads;
    const buckets = heads.length;
    let wallOffset: number | undefined;
    readHistograms(snap, from, to, (s, live) => {
      const text = this.labelsOf(s);
      // Exemplars exist only in OpenMetrics; the text format cannot carry them. A series read
      // from its kept state shows none this time: the ones it has are newer than that state.
      let tails: Array<string | undefined> | undefined;
      if (openMetrics && live && s.exemplars) {
        const offset = (wallOffset ??= Date.now() - performance.now());
        tails = s.exemplars.map(
          (e) => e && ` # ${e.exemplar.text} ${e.value} ${exemplarTimestamp(e.at, offset)}\n`,
        );
      }
      for (let i = 0; i < buckets; i++) {
        this.start(out, heads[i]!, text, COMMA, CLOSE_AND_SPACE, values[i]!);
        const tail = tails?.[i];
        // text() reserves its own room, line feed included.
        if (tail === undefined) out.newline();
        else out.text(tail);
      }
      this.sample(out, this.sumName, text, values[buckets]!);
      this.sample(out, this.countName, text, values[buckets - 1]!);
    });
  }

  /** `name{labels} value` or `name value`. */
  private sample(out: ExpositionBytes, name: Buffer, text: Uint8Array, value: number): void {
    this.start(out, name, text, OPEN_BRACE, SPACE, value);
    out.newline();
  }

  /** A line up to its value: `head`, then `labelled` and the label text, or `bare`. */
  private start(
    out: ExpositionBytes,
    head: Buffer,
    text: Uint8Array,
    labelled: number,
    bare: Buffer,
    value: number,
  ): void {
    out.reserve(head.length + text.length + VALUE_ROOM);
    out.bytes(head);
    if (text.length > 0) {
      out.byte(labelled);
      out.bytes(text);
    } else {
      out.bytes(bare);
    }
    out.value(value);
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
