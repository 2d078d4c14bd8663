import type { ServerResponse } from 'node:http';
import { declaredLength } from '../instrumentation/http-bytes';
import { responseFinished, responseHeadersSent } from '../instrumentation/node-http-access';
import { HttpServerFamilies, RouteSeries } from './http-server-families';
import type { PathExclusions } from './path-exclusions';

/** No body goes out with these, whatever Content-Length says (RFC 9110, 6.4.1). */
const bodiless = (method: string, status: number): boolean =>
  method === 'HEAD' || status < 200 || status === 204 || status === 304;

/**
 * What both adapters' hooks share: the families, the routes' series by route key, the
 * exclusions, and the recording of one finished request.
 */
export class HttpServerRecorder {
  /** Requests that matched no route: `http_route=""` (Prometheus reads an empty label as none). */
  readonly unmatched: RouteSeries;
  private readonly routes = new Map<unknown, RouteSeries>();

  constructor(
    readonly families: HttpServerFamilies,
    private readonly exclusions: PathExclusions,
  ) {
    this.unmatched = new RouteSeries('', families);
  }

  excluded(url: string | undefined): boolean {
    return url !== undefined && this.exclusions.matches(url);
  }

  /** The series of a route, by its key (a template, or an adapter's route object). */
  route(key: unknown, template: string): RouteSeries {
    let route = this.routes.get(key);
    if (route === undefined)
      this.routes.set(key, (route = new RouteSeries(template, this.families)));
    return route;
  }

  /**
   * One request has ended (its response completed, or its connection closed first): the
   * duration and body sizes, in the series of its route, method, status and outcome.
   * `method`: the request's (`req.method`), `index` its index in the families.
   * `requestBytes` undefined: unknown (a chunked upload), not observed. `carrier`: the adapter's
   * response object, for headers Node's response does not hold (Fastify's reply).
   */
  record(
    route: RouteSeries,
    method: string,
    index: number,
    res: ServerResponse,
    seconds: number,
    requestBytes: number | undefined,
    carrier: unknown,
  ): void {
    const sent = responseHeadersSent(res);
    const status = sent ? res.statusCode : 0;
    const series = route.series(index, status, responseFinished(res));
    series.duration.observe(seconds);
    if (requestBytes !== undefined) series.requestBody.observe(requestBytes);
    // Nothing sent: no body. A stream without Content-Length: unknown, not observed.
    const responseBytes = !sent || bodiless(method, status) ? 0 : declaredLength(res, carrier);
    if (responseBytes !== undefined) series.responseBody.observe(responseBytes);
  }
}
