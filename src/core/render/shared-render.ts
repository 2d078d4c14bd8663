import type { Exposition } from './render-exposition';

/**
 * One render shared by every scrape that asks while it runs. Each asker holds a lease of it; the
 * render is released (its buffers go back to the pool) when it can no longer be joined and every
 * lease is released.
 */
export class SharedRender {
  private holders = 0;
  private joinable = true;
  private result?: Exposition;

  constructor(private readonly rendering: Promise<Exposition>) {}

  /** Closes the render to new askers (it has finished). */
  close(rendered: Exposition): void {
    this.result = rendered;
    this.joinable = false;
    this.releaseIfUnused();
  }

  async lease(): Promise<Exposition> {
    this.holders++;
    let released = false;
    let rendered: Exposition;
    try {
      rendered = await this.rendering;
    } catch (err) {
      this.holders--;
      throw err;
    }
    return {
      contentType: rendered.contentType,
      parts: rendered.parts,
      release: () => {
        if (released) return;
        released = true;
        this.holders--;
        this.releaseIfUnused();
      },
    };
  }

  private releaseIfUnused(): void {
    if (this.holders > 0 || this.joinable || !this.result) return;
    this.result.release();
    this.result = undefined;
  }
}
