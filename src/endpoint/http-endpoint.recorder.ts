import { callHandler } from '../instrumentation/call-handler';
import type { Method } from '../instrumentation/method-instrumentation.interface';
import { nodeResponseOf } from '../instrumentation/node-http-access';
import { EndpointRecorder } from './endpoint.recorder';
import { HttpCall } from './http-call';

/**
 * A controller route: the call ends when the HTTP response is complete or the connection
 * closes; its bytes are the response's. Called without a response (directly, in a test), the
 * method is recorded as a plain one.
 */
export class HttpEndpointRecorder extends EndpointRecorder {
  override invoke(self: unknown, original: Method, args: unknown[]): unknown {
    const arg = args[this.carrier.index];
    const res = nodeResponseOf(arg);
    if (res === undefined) return this.settle(self, original, args);
    const exemplar = this.traces?.current(res.req);
    const call = new HttpCall(this.metrics.metricsFor(args), res, arg, exemplar);
    if (res.destroyed) {
      // The client left while guards and pipes ran; nothing will be sent.
      call.finish('cancelled');
      return original.apply(self, args);
    }
    if (this.carrier.manual) call.countWrites();
    call.listen();
    if (this.traces === undefined) return callHandler(self, original, args, call);
    // Decorated providers the handler calls inherit its trace.
    return this.traces.run(exemplar, () => callHandler(self, original, args, call));
  }
}
