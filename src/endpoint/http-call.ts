import type { ServerResponse } from 'node:http';
import type { ExemplarText, WorkerMetrics } from '../core';
import type { CallOutcome } from '../instrumentation/call-handler';
import { classifyError } from '../instrumentation/error-classifier';
import { contentLength, countResponseWrites, requestBytes } from '../instrumentation/http-bytes';
import { onResponseClose, responseFinished } from '../instrumentation/node-http-access';
import { resultKind, watchResult } from '../instrumentation/result-watchers';
import { Call } from './endpoint-call';

/** What a Fastify reply tells of its times: ms since routing (0: Fastify did not time it). */
interface FastifyTimes {
  readonly elapsedTime: number;
}

const CALL = Symbol('dynamo.endpoint.call');
type Linked = ServerResponse & { [CALL]?: HttpCall };

function closeLinked(this: Linked): void {
  this[CALL]!.closed();
}

/**
 * One decorated HTTP call: it ends when the response is complete or the connection closes.
 * The call is its own handler outcome, so a request allocates this object (and on Express its
 * 'close' listener), nothing more (a Fastify route's whole CPU per request is small: README,
 * "Performance").
 */
export class HttpCall extends Call implements CallOutcome {
  /** Response writes are counted (streams, manual writes); else the Content-Length is read. */
  private counting = false;

  /** The response's 'close', which comes once: after 'finish', or when the connection drops. */
  closed(): void {
    const res = this.res;
    const complete = responseFinished(res);
    // A HEAD response carries the Content-Length of a body it does not send.
    if (!this.counting && complete && res.req?.method !== 'HEAD') {
      this.responseBytes = contentLength(res, this.carrier);
    }
    this.finish(complete ? undefined : 'cancelled');
  }

  /**
   * Ends the call at the response's 'close'. On Fastify the response links to its call and a
   * listener shared by all calls ends it, without a closure per request; on Express (whose
   * re-prototyped responses make a new property cost more than a closure), and for a second
   * call on one response, a closure does.
   */
  listen(): void {
    const res = this.res as Linked;
    if (this.timedBy !== undefined && res[CALL] === undefined) {
      res[CALL] = this;
      onResponseClose(res, closeLinked);
    } else {
      onResponseClose(res, () => this.closed());
    }
  }

  /** Fastify's reply, when its clock reads time this call (see `clock()`). */
  private readonly timedBy?: FastifyTimes;

  constructor(
    metrics: WorkerMetrics,
    private readonly res: ServerResponse,
    /** The handler's response argument (Express response or Fastify reply). */
    private readonly carrier: unknown,
    exemplar?: ExemplarText,
  ) {
    // A Fastify reply (Express hands the response itself); one clock read, the call's start.
    const reply =
      exemplar === undefined && carrier !== res ? (carrier as Partial<FastifyTimes>) : undefined;
    const elapsed = reply?.elapsedTime;
    const timed = typeof elapsed === 'number' && elapsed > 0;
    super(
      metrics,
      requestBytes(res.req, carrier),
      undefined,
      exemplar,
      timed ? elapsed : undefined,
    );
    this.timedBy = timed ? (reply as FastifyTimes) : undefined;
  }

  /**
   * On Fastify, the reply's `elapsedTime`: Fastify reads the clock as the request is routed and
   * at the response's 'finish' (before its 'close', where the call ends), so ending a call
   * reads no clock. Exemplars keep `performance.now()`, their timestamps' clock.
   */
  protected override clock(): number {
    return this.timedBy ? this.timedBy.elapsedTime : performance.now();
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
