/** Bytes per part: one part is copied and written in well under a millisecond. */
export const PART_BYTES = 256 * 1024;

/** At most this many part buffers are kept (64 MB): the largest expositions seen recently. */
const MAX_POOLED = 256;

const free: Buffer[] = [];

/**
 * Part buffers reused from one scrape to the next. Allocating the ~16 MB of a 10,000-series
 * scrape afresh each time made V8 run a full mark-compact (a pause; README, "Performance") after
 * every scrape; with buffers reused, a scrape in steady state allocates almost nothing.
 */
export function takePart(): Buffer {
  return free.pop() ?? Buffer.allocUnsafe(PART_BYTES);
}

/** Gives part buffers back once nothing reads them any more. */
export function recycleParts(buffers: readonly Buffer[]): void {
  for (const buffer of buffers) {
    if (buffer.length === PART_BYTES && free.length < MAX_POOLED) free.push(buffer);
  }
}
