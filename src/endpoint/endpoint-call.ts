import type { StreamWatcher } from '../instrumentation/result-watchers';
import { beginWorkerCall, endWorkerCall } from '../core';
import type { ExemplarText, WorkerErrorType, WorkerMetrics } from '../core';

const noop = (): void => undefined;
// Read once: `export *` re-exports are getters in CommonJS output, one call per read.
const beginCall = beginWorkerCall;
const endCall = endWorkerCall;

/**
 * One started call. `finish()` runs exactly once whatever happens (success, throw, reject,
 * stream error, client disconnect, early unsubscribe), so the concurrency gauge always returns.
 */
export class Call {
  private done = false;
  /** Set when a failure is known before the end (e.g. the handler threw, then Nest responded). */
  error?: WorkerErrorType;
  responseBytes = 0;
  readonly started: number;
  /** When the first response item went out (streams); unset for unary responses. */
  private firstItemAt?: number;

  constructor(
    private readonly metrics: WorkerMetrics,
    public requestBytes: number,
    private readonly itemSize?: (item: unknown) => number,
    /** The call's trace, for the duration histogram (exemplars on). */
    private readonly exemplar?: ExemplarText,
    /** When the call started, in the clock of `clock()`; default: now. */
    started?: number,
  ) {
    beginCall(metrics);
    this.started = started ?? performance.now();
  }

  /** The time now, in ms: `performance.now()`, unless a subclass has a clock read already. */
  protected clock(): number {
    return performance.now();
  }

  finish(error?: WorkerErrorType): void {
    if (this.done) return;
    this.done = true;
    endCall(
      this.metrics,
      this.started,
      this.requestBytes,
      this.responseBytes,
      this.error ?? error,
      this.exemplar,
      this.firstItemAt,
      this.clock(),
    );
  }

  /** The first response item (stream item, HTTP write) is being sent now; later calls are no-ops. */
  firstItem(): void {
    this.firstItemAt ??= this.clock();
  }

  /**
   * For streams whose end is found elsewhere (the HTTP response, the RPC reply): failures, and
   * with `timed` the first item (for Observables only: a 'data' listener would start a Node
   * stream flowing before its consumer pipes it).
   */
  failureWatcher(timed = false): StreamWatcher {
    return {
      next: timed && this.metrics.firstResponse ? () => this.firstItem() : undefined,
      error: () => (this.error ??= 'stream_error'),
      complete: noop,
      cancel: noop,
    };
  }

  /**
   * For RPC and plain calls whose end is the end of their stream. `nodeStream`: a Node stream is
   * only watched item by item for its size function (a listener makes it flow), so its first
   * item is not timed.
   */
  watcher(nodeStream = false): StreamWatcher {
    const itemSize = this.itemSize;
    const timed = this.metrics.firstResponse !== undefined && !nodeStream;
    return {
      next:
        itemSize || timed
          ? (item) => {
              if (timed) this.firstItem();
              if (itemSize) this.responseBytes += safeSize(itemSize, item);
            }
          : undefined,
      error: () => this.finish('stream_error'),
      complete: () => this.finish(),
      cancel: () => this.finish('cancelled'),
    };
  }
}

/** A user's size function, which must never break the call it measures. */
export function safeSize(fn: (value: never) => number, value: unknown): number {
  let n: unknown;
  try {
    n = fn(value as never);
  } catch {
    return 0;
  }
  return typeof n === 'number' && n > 0 && Number.isFinite(n) ? Math.floor(n) : 0;
}
