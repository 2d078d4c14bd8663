import { PART_BYTES, takePart } from './part-pool';

/** One string from the parts of an exposition. */
export function joinParts(parts: readonly Buffer[]): string {
  return parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

/**
 * The exposition written straight into bytes, in parts of `PART_BYTES`.
 *
 * Building the text as JavaScript strings is cheap, but the ropes that string concatenation
 * makes must later be flattened and encoded in one synchronous go, a long block for the 16 MB
 * of 10,000 histogram series (README, "Performance"). Writing bytes costs about the same as
 * building the rope, leaves nothing to flatten, and the parts can be sent one per turn of the
 * event loop.
 */

const NEWLINE = 10;
const ZERO = 48;
const MINUS = 45;
const INF = Buffer.from('+Inf');
const NEG_INF = Buffer.from('-Inf');
// prom-client writes `Nan`; both formats spell it `NaN` (no series holds one: every update is
// checked to be finite).
const NAN = Buffer.from('NaN');

export class ExpositionBytes {
  readonly parts: Buffer[] = [];
  /** The whole buffers behind the parts, to recycle once the parts are written. */
  readonly buffers: Buffer[] = [];
  private buf = this.fresh(PART_BYTES);
  private pos = 0;

  /** Starts a new part unless `bytes` more fit in the current one. */
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.cut();
    if (bytes > PART_BYTES) this.buf = this.fresh(bytes);
  }

  /** Copies bytes (reserve first). */
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  byte(code: number): void {
    this.buf[this.pos++] = code;
  }

  /** Any text, as UTF-8 (reserves its own room). */
  text(s: string): void {
    this.reserve(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /**
   * A sample value as prom-client prints it (`String(value)`, infinities as `+Inf`/`-Inf`).
   * Needs at most 25 bytes of room. Integers, the common case, are written digit by digit.
   */
  value(v: number): void {
    if (Number.isSafeInteger(v)) {
      if (v < 0) {
        this.buf[this.pos++] = MINUS;
        v = -v;
      }
      let digits = 1;
      for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
      const buf = this.buf;
      let p = this.pos + digits;
      this.pos = p;
      do {
        const q = Math.floor(v / 10);
        buf[--p] = ZERO + v - q * 10;
        v = q;
      } while (v > 0);
    } else if (v === v && v !== Infinity && v !== -Infinity) {
      this.pos += this.buf.write('' + v, this.pos, 'latin1');
    } else {
      this.bytes(v !== v ? NAN : v > 0 ? INF : NEG_INF);
    }
  }

  newline(): void {
    this.buf[this.pos++] = NEWLINE;
  }

  /** Closes the current part; returns every part written so far. */
  finish(): Buffer[] {
    if (this.pos > 0) this.parts.push(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return this.parts;
  }

  private cut(): void {
    if (this.pos === 0) return;
    this.parts.push(this.buf.subarray(0, this.pos));
    this.buf = this.fresh(PART_BYTES);
    this.pos = 0;
  }

  private fresh(bytes: number): Buffer {
    const buffer = bytes === PART_BYTES ? takePart() : Buffer.allocUnsafe(bytes);
    this.buffers.push(buffer);
    return buffer;
  }
}
