import { Observable } from 'rxjs';
import { callHandler } from '../instrumentation/call-handler';
import { classifyError } from '../instrumentation/error-classifier';
import type { Method } from '../instrumentation/method-instrumentation.interface';
import { resultKind, watchObservable } from '../instrumentation/result-watchers';
import { RpcLink, rpcLinkOf } from '../instrumentation/rpc/rpc-link';
import { Call } from './endpoint-call';
import { EndpointRecorder } from './endpoint.recorder';

/**
 * A microservice handler that receives its RPC context. A request whose transport has byte
 * hooks ends with its last reply packet; an event with such hooks takes its size from the
 * transport; anything else (no hooks, a second call on one context) is recorded as a plain call.
 */
export class RpcEndpointRecorder extends EndpointRecorder {
  override invoke(self: unknown, original: Method, args: unknown[]): unknown {
    const link = rpcLinkOf(args[this.carrier.index]);
    const strip = this.carrier.strip;
    if (strip !== undefined && args.length > strip) args.length = strip;
    if (link === undefined) return this.settle(self, original, args);
    if (!link.expectsReply) return this.settle(self, original, args, link.requestBytes ?? 0);
    // An interceptor may call the handler twice on one context: the first call owns the link.
    if (link.isClaimed) return this.settle(self, original, args);
    return this.linked(self, original, args, link);
  }

  /**
   * The call ends when the last reply packet is sent (for an Observable, after it completes or
   * fails), or when the client has gone; the bytes are the transport's. The handler's own
   * outcome only decides the error type.
   */
  private linked(self: unknown, original: Method, args: unknown[], link: RpcLink): unknown {
    const call = new Call(this.metrics.metricsFor(args), 0, undefined, this.traces?.current());
    link.claim((ended, reason) => {
      call.requestBytes = ended.requestBytes ?? 0;
      call.responseBytes = ended.responseBytes;
      call.finish(reason);
    });
    const onResult = (value: unknown): unknown =>
      resultKind(value) === 'observable'
        ? watchObservable(value as Observable<unknown>, call.failureWatcher(true))
        : value;
    return callHandler(self, original, args, {
      onResult,
      onError: (err) => (call.error = classifyError(err)),
    });
  }
}
