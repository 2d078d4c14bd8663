import type { ServerResponse } from 'node:http';
import type { ExemplarText, WorkerMetrics } from '../core';
import type { CallOutcome } from '../instrumentation/call-handler';
import { classifyError } from '../instrumentation/error-classifier';
import { contentLength, countResponseWrites, requestBytes } from '../instrumentation/http-bytes';
import { responseFinished } from '../instrumentation/node-http-access';
import { resultKind, watchResult } from '../instrumentation/result-watchers';
import { Call } from './endpoint-call';

/**
 * One decorated HTTP call: it ends when the response is complete or the connection closes.
 * The call is its own handler outcome, so a request allocates this object and its 'close'
 * listener, nothing more (a Fastify route has about 20 us of CPU to share with it).
 */
export class HttpCall extends Call implements CallOutcome {
  /** Response writes are counted (streams, manual writes); else the Content-Length is read. */
  private counting = false;

  /** The response's 'close', which comes once: after 'finish', or when the connection drops. */
  readonly onClose = (): void => {
    const res = this.res;
    const complete = responseFinished(res);
    // A HEAD response carries the Content-Length of a body it does not send.
    if (!this.counting && complete && res.req?.method !== 'HEAD') {
      this.responseBytes = contentLength(res, this.carrier);
    }
    this.finish(complete ? undefined : 'cancelled');
  };

  constructor(
    metrics: WorkerMetrics,
    private readonly res: ServerResponse,
    /** The handler's response argument (Express response or Fastify reply). */
    private readonly carrier: unknown,
    exemplar?: ExemplarText,
  ) {
    super(metrics, requestBytes(res.req, carrier), undefined, exemplar);
  }

  /** Counts the bytes of every write from now on (once per call). */
  countWrites(): void {
    if (this.counting) return;
    this.counting = true;
    countResponseWrites(this.res, (bytes) => {
      this.responseBytes += bytes;
      if (bytes > 0) this.firstItem();
    });
  }

  onResult(value: unknown): unknown {
    const kind = resultKind(value);
    if (kind === 'value') return value;
    this.countWrites();
    // The end of the call is the end of the response; from the stream only failures matter.
    return watchResult(value, kind, this.failureWatcher());
  }

  onError(err: unknown): void {
    this.error = classifyError(err);
  }
}
