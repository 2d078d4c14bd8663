import type { WorkerErrorType } from '../../core';

/** How a call ended, seen from the transport: replied (undefined) or why not. */
export type RpcLinkEnd = WorkerErrorType | undefined;
type EndListener = (link: RpcLink, reason: RpcLinkEnd) => void;

/** What one handler call learns from its transport. */
export class RpcLink {
  /** Response payload bytes sent so far (every reply packet of a stream). */
  responseBytes = 0;
  private ended = false;
  private reason: RpcLinkEnd;
  private listener: EndListener | undefined;
  private claimed = false;

  constructor(
    /** Request/response (ends with its last reply) rather than an event (no reply). */
    readonly expectsReply: boolean,
    /** Request payload bytes; TCP requests learn theirs at the first reply (or the close). */
    public requestBytes?: number,
  ) {}

  /** Whether a handler call already listens for the end (an interceptor may call twice). */
  get isClaimed(): boolean {
    return this.claimed;
  }

  /** The handler wrapper's side: `listener` runs once, at the end (now, if it is over already). */
  claim(listener: EndListener): void {
    this.claimed = true;
    if (this.ended) listener(this, this.reason);
    else this.listener = listener;
  }

  /** The transport's side: the last reply packet went out, or can no longer. */
  end(reason?: RpcLinkEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.(this, reason);
  }
}

/** On the RPC context object. */
const LINK = Symbol('dynamo.rpc.link');

/** The link the transport put on this RPC context, if any. */
export function rpcLinkOf(context: unknown): RpcLink | undefined {
  return context !== null && typeof context === 'object'
    ? (context as Record<symbol, RpcLink | undefined>)[LINK]
    : undefined;
}

/** Puts `link` on the RPC context the handler will receive. */
export function attachLink(context: object, link: RpcLink): void {
  (context as Record<symbol, RpcLink>)[LINK] = link;
}
