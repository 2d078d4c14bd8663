import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { requestBodyBytes } from '../instrumentation/http-bytes';
import { onResponseClose } from '../instrumentation/node-http-access';
import type { HttpServerRecorder } from './http-server.recorder';
import type { RouteSeries } from './http-server-families';

/** A request being measured: what its response's 'close' needs, read while reads are cheap. */
interface Exchange {
  readonly start: number;
  readonly method: string;
  readonly index: number;
  readonly req: IncomingMessage;
  /** Undefined until 'close' for a chunked upload (the raw body Nest keeps is read then). */
  readonly requestBytes: number | undefined;
}

const EXCHANGE = Symbol('dynamo.httpServer.exchange');
type Measured = ServerResponse & { [EXCHANGE]?: Exchange };

/**
 * Express: a listener on the HTTP server's 'request' event, put before Express's own, counts
 * the request as active and reads the clock; the response's 'close' (once: after the response
 * completed, or when the connection closed first) records it, with the route Express matched
 * (`req.route`, one of `routes`: the application's routes when it started). Before Express
 * re-prototypes the request and response, every read of them is a cached one; after, each
 * distinct property may cost a lookup, so what can be read early is, and 'close' reads the rest.
 */
export function installExpressHooks(
  server: Server,
  routes: ReadonlyMap<object, RouteSeries>,
  recorder: HttpServerRecorder,
): void {
  const { families } = recorder;

  function onClose(this: Measured): void {
    const end = performance.now();
    const { start, method, index, req, requestBytes } = this[EXCHANGE]!;
    families.activeOf(index).value--;
    const matched = (req as { route?: object }).route;
    const route = (matched !== undefined && routes.get(matched)) || recorder.unmatched;
    const bytes = requestBytes ?? requestBodyBytes(req);
    recorder.record(route, method, index, this, (end - start) / 1000, bytes, this);
  }

  server.prependListener('request', (req: IncomingMessage, res: Measured) => {
    if (recorder.excluded(req.url)) return;
    const method = req.method!;
    const index = families.method(method);
    families.activeOf(index).value++;
    res[EXCHANGE] = {
      start: performance.now(),
      method,
      index,
      req,
      requestBytes: requestBodyBytes(req),
    };
    onResponseClose(res, onClose);
  });
}
