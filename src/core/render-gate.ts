/**
 * A family's renders in progress, shared by its histogram series. While an epoch is open, a
 * series about to change first keeps a copy of its state (copy on write), so a render that
 * reads the series a slice at a time, yielding between slices, still shows each of them as it
 * was when the render began, without copying 10,000 series in one synchronous stretch first.
 */
export class RenderGate {
  /** The open epoch (> 0) while at least one render reads the family; 0 otherwise. */
  epoch = 0;
  private last = 0;
  private readers = 0;

  /**
   * Starts reading; returns the epoch to read at. A render that starts while another reads
   * joins its epoch: it shows the family as it was when the first one began.
   */
  open(): number {
    if (this.readers++ === 0) this.epoch = ++this.last;
    return this.epoch;
  }

  /** Done reading (once per `open()`, also when the render failed). */
  close(): void {
    if (--this.readers === 0) this.epoch = 0;
  }
}
