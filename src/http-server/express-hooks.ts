import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestBodyBytes } from '../instrumentation/http-bytes';
import { prependExpressMiddleware } from '../instrumentation/nest-internals';
import { onResponseClose } from '../instrumentation/node-http-access';
import type { HttpServerRecorder } from './http-server.recorder';
import type { RouteSeries } from './http-server-families';

/**
 * Express: one middleware, the first layer of the app's router (ahead of Nest's routes and its
 * own middleware), counts the request as active and reads the clock; the response's 'close'
 * (once: after the response completed, or when the connection closed first) records it, with
 * the route Express matched (`req.route`, one of `routes`: the application's routes when it
 * started). Express tracks none of this itself, so the listener is a closure over what it
 * needs: Express re-prototypes every request and response, after which adding a property to
 * one costs more than the closure. False when the app's router is not where Express keeps it.
 */
export function installExpressHooks(
  app: { use(fn: Function): unknown },
  routes: ReadonlyMap<object, RouteSeries>,
  recorder: HttpServerRecorder,
): boolean {
  const { families } = recorder;

  const record = (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    index: number,
    start: number,
    requestBytes: number | undefined,
  ): void => {
    const end = performance.now();
    families.activeOf(index).value--;
    const matched = (req as { route?: object }).route;
    const route = (matched !== undefined && routes.get(matched)) || recorder.unmatched;
    // A chunked upload's size is known at the end, if Nest kept its raw body.
    const bytes = requestBytes ?? requestBodyBytes(req);
    recorder.record(route, method, index, res, (end - start) / 1000, bytes, res);
  };

  function measure(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (!recorder.excluded(req.url)) {
      const method = req.method!;
      const index = families.method(method);
      families.activeOf(index).value++;
      const start = performance.now();
      const bytes = requestBodyBytes(req);
      onResponseClose(res, () => record(req, res, method, index, start, bytes));
    }
    next();
  }

  return prependExpressMiddleware(app, measure);
}
