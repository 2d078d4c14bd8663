import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestBodyBytes } from '../instrumentation/http-bytes';
import { prependExpressMiddleware } from '../instrumentation/nest-internals';
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
 * Express: one middleware, the first layer of the app's router (ahead of Nest's routes and its
 * own middleware), counts the request as active and reads the clock; the response's 'close'
 * (once: after the response completed, or when the connection closed first) records it, with
 * the route Express matched (`req.route`, one of `routes`: the application's routes when it
 * started). Express re-prototypes every request and response, after which each distinct
 * property read may cost a lookup: what 'close' needs is kept in one object of its own.
 * False when the app's router is not where Express keeps it.
 */
export function installExpressHooks(
  app: { use(fn: Function): unknown },
  routes: ReadonlyMap<object, RouteSeries>,
  recorder: HttpServerRecorder,
): boolean {
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

  function measure(req: IncomingMessage, res: Measured, next: () => void): void {
    if (!recorder.excluded(req.url)) {
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
    }
    next();
  }

  return prependExpressMiddleware(app, measure);
}
