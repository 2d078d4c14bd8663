import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { requestBodyBytes } from '../instrumentation/http-bytes';
import { onResponseClose } from '../instrumentation/node-http-access';
import type { HttpServerRecorder } from './http-server.recorder';
import type { RouteSeries } from './http-server-families';

/** A request being measured: what its response's 'close' needs, read while reads are cheap. */
interface Exchange {
  readonly start: number;
  readonly method: number;
  readonly req: IncomingMessage;
}

const EXCHANGE = Symbol('dynamo.httpServer.exchange');
type Measured = ServerResponse & { [EXCHANGE]?: Exchange };

/**
 * Express: a listener on the HTTP server's 'request' event, put before Express's own, counts
 * the request as active and reads the clock; the response's 'close' (once: after the response
 * completed, or when the connection closed first) records it, with the route Express matched
 * (`req.route`, one of `routes`: the application's routes when it started). Before Express
 * re-prototypes the request and response, every read of them is a cached one; after, each
 * distinct property costs a lookup, so 'close' reads as few as it can.
 */
export function installExpressHooks(
  server: Server,
  routes: ReadonlyMap<object, RouteSeries>,
  recorder: HttpServerRecorder,
): void {
  const { families } = recorder;

  function onClose(this: Measured): void {
    const seconds = (performance.now() - this[EXCHANGE]!.start) / 1000;
    const { method, req } = this[EXCHANGE]!;
    families.activeOf(method).value--;
    const matched = (req as { route?: object }).route;
    const route = (matched !== undefined && routes.get(matched)) || recorder.unmatched;
    recorder.record(route, method, this, seconds, requestBodyBytes(req), this);
  }

  server.prependListener('request', (req: IncomingMessage, res: Measured) => {
    if (recorder.excluded(req.url)) return;
    const method = families.method(req.method!);
    families.activeOf(method).value++;
    res[EXCHANGE] = { start: performance.now(), method, req };
    onResponseClose(res, onClose);
  });
}
