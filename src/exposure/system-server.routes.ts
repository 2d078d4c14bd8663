import { namingProfile, negotiateContentType } from '../core';
import type { DynamoMetricsConfig } from '../config/dynamo-metrics-options.interface';
import { expositionHeaders, writeExposition } from './exposition-response';
import { acceptsGzip } from './gzip-encoding';
import type { HealthService } from './health.service';
import { Route, send, sendJson } from './http-server.util';
import type { MetricsExporter } from './metrics-exporter.service';
import { statusPageRoutes } from './status-page/status-page.routes';
import type { StatusHistory } from './status-page/status-history.service';
import type { BasicAuth } from './web-config/basic-auth';

const TEXT = 'text/plain; charset=utf-8';

export interface SystemRouteDeps {
  config: DynamoMetricsConfig;
  exporter: MetricsExporter;
  health: HealthService;
  /** The status page's last minutes (`/status/history`). */
  history: StatusHistory;
  /** The web config's basic auth, when it sets users. */
  auth: BasicAuth | undefined;
}

/**
 * The system server's routes: `/metrics` (gzip when the scraper accepts it) and the status page
 * behind the web config's basic auth when it has one; the probes open unless
 * `system.protectProbes`, since Kubernetes probes carry no credentials.
 */
export function systemServerRoutes({ config, exporter, health, history, auth }: SystemRouteDeps) {
  const { metricsPath, healthPath, livePath, statusPage, protectProbes } = config.system;
  const protect = (route: Route): Route => (auth ? guarded(auth, route) : route);
  const probe = (route: Route): Route => (protectProbes ? protect(route) : route);
  const healthRoute: Route = (_req, res) => {
    const report = health.report();
    sendJson(res, report.status === 'ready' ? 200 : 503, report);
  };
  const liveRoute: Route = namingProfile(config.naming).liveFollowsReadiness
    ? healthRoute
    : (_req, res) => sendJson(res, 200, { status: 'live' });
  const metricsRoute: Route = async (req, res) => {
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    if (req.method === 'HEAD') {
      // Headers only: no rendering, and not a scrape.
      res.writeHead(200, expositionHeaders(negotiateContentType(req.headers.accept), gzip));
      return void res.end();
    }
    await writeExposition(res, await exporter.scrape(req.headers.accept), gzip);
  };
  return new Map<string, Route>([
    [metricsPath, protect(metricsRoute)],
    [healthPath, probe(healthRoute)],
    [livePath, probe(liveRoute)],
    ...(statusPage
      ? statusPageRoutes(config, history).map(([path, route]): [string, Route] => [
          path,
          protect(route),
        ])
      : []),
  ]);
}

/** A route behind basic auth: 401 with a `Basic` challenge, 429 while checks are backed up. */
function guarded(auth: BasicAuth, route: Route): Route {
  return async (req, res) => {
    const verdict = await auth.check(req.headers.authorization);
    if (verdict === 'ok') return route(req, res);
    if (verdict === 'busy') {
      return send(res, 429, TEXT, 'Too Many Requests\n', { 'retry-after': '1' });
    }
    send(res, 401, TEXT, 'Unauthorized\n', { 'www-authenticate': 'Basic' });
  };
}
