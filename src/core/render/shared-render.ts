import { recycleParts } from './part-pool';

/** The parts of one render, and what to call once they have been written. */
export interface ExpositionLease {
  readonly parts: readonly Buffer[];
  /** Call exactly once, when nothing reads the parts any more (after the last write). */
  release(): void;
}

interface Rendered {
  parts: readonly Buffer[];
  buffers: readonly Buffer[];
}

/**
 * One render shared by every scrape that asks while it runs. Each asker holds a lease; the part
 * buffers go back to the pool when the render can no longer be joined and every lease is
 * released (a lease never released leaves them to the garbage collector).
 */
export class SharedRender {
  private holders = 0;
  private joinable = true;
  private result?: Rendered;

  constructor(private readonly rendering: Promise<Rendered>) {}

  /** Closes the render to new askers (it has finished). */
  close(rendered: Rendered): void {
    this.result = rendered;
    this.joinable = false;
    this.recycleIfUnused();
  }

  async lease(): Promise<ExpositionLease> {
    this.holders++;
    let released = false;
    let rendered: Rendered;
    try {
      rendered = await this.rendering;
    } catch (err) {
      this.holders--;
      throw err;
    }
    return {
      parts: rendered.parts,
      release: () => {
        if (released) return;
        released = true;
        this.holders--;
        this.recycleIfUnused();
      },
    };
  }

  private recycleIfUnused(): void {
    if (this.holders > 0 || this.joinable || !this.result) return;
    const { buffers } = this.result;
    this.result = undefined;
    recycleParts(buffers);
  }
}
