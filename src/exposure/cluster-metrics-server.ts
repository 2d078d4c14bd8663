import {
  ClusterMetricsCollector,
  ClusterMetricsCollectorOptions,
  DynamoMetricsError,
  Exposition,
  negotiateContentType,
} from '../core';
import { CONFIG_MESSAGES } from '../config/config.messages';
import {
  DEFAULT_METRICS_PATH,
  DEFAULT_SYSTEM_CONNECTIONS,
  DEFAULT_SYSTEM_HOST,
  HEALTH_PATH,
  LIVE_PATH,
} from '../config/dynamo-metrics.constants';
import { writeExposition } from './exposition-response';
import {
  createLimitedServer,
  displayUrl,
  listen,
  Route,
  routeTable,
  send,
  sendJson,
} from './http-server.util';

export interface ClusterMetricsServerOptions extends ClusterMetricsCollectorOptions {
  /** Port to listen on; 0 picks a free one (read it from the result). */
  port: number;
  /** Bind address. Default `0.0.0.0`, like DYN_SYSTEM_HOST. */
  host?: string;
  /** Path of the metrics route. Default `/metrics`. */
  path?: string;
  /** Called when a scrape fails (a worker timed out or failed); default: console.error. */
  onError?: (error: Error) => void;
}

export interface ClusterMetricsServer {
  /** The port actually bound (the real one when `port: 0` was given). */
  readonly port: number;
  /** `http://host:port` (127.0.0.1 when bound to 0.0.0.0). */
  readonly url: string;
  /** The collector behind the server (registered workers, `collect()` for custom use). */
  readonly collector: ClusterMetricsCollector;
  /** Stops the server and the collector. */
  close(): Promise<void>;
}

/**
 * For Node `cluster` mode: serves the metrics of all workers, merged, from the primary process
 * (plain Node, no Nest). `GET <path>` collects every registered worker's metrics over the cluster
 * IPC channel and answers with the merged exposition (Prometheus text 0.0.4, or OpenMetrics 1.0
 * when the scraper asks for it); 503 when a registered worker does not answer in time. `/live`
 * answers 200; `/health` 200 while at least one worker is registered, else 503.
 * Workers register with the module option `cluster: { worker: true }` or `enableClusterWorker()`.
 */
export async function startClusterMetricsServer(
  options: ClusterMetricsServerOptions,
): Promise<ClusterMetricsServer> {
  const host = options.host ?? DEFAULT_SYSTEM_HOST;
  const path = options.path ?? DEFAULT_METRICS_PATH;
  const { port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DynamoMetricsError(
      CONFIG_MESSAGES.invalidPort('startClusterMetricsServer port', port),
    );
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new DynamoMetricsError(
      CONFIG_MESSAGES.invalidMetricsPath('startClusterMetricsServer path', path),
    );
  }
  const collector = new ClusterMetricsCollector({ timeoutMs: options.timeoutMs });
  const onError = options.onError ?? ((err: Error) => console.error(err.message));

  const routes = new Map<string, Route>([
    [
      path,
      async (req, res) => {
        let exposition: Exposition;
        try {
          exposition = await collector.leaseExposition(negotiateContentType(req.headers.accept));
        } catch (err) {
          onError(err as Error);
          return send(res, 503, 'text/plain; charset=utf-8', `${(err as Error).message}\n`);
        }
        await writeExposition(res, exposition);
      },
    ],
    [LIVE_PATH, (_req, res) => sendJson(res, 200, { status: 'live' })],
    [
      HEALTH_PATH,
      (_req, res) => {
        const workers = collector.workers.length;
        sendJson(res, workers > 0 ? 200 : 503, {
          status: workers > 0 ? 'ready' : 'notready',
          workers,
        });
      },
    ],
  ]);

  // The system server's connection limits: idle sockets cannot starve this port either.
  const server = createLimitedServer(
    routeTable(routes, (_path, err) => onError(err)),
    DEFAULT_SYSTEM_CONNECTIONS,
  );
  let bound: number;
  try {
    bound = await listen(server, 'Cluster metrics server', port, host);
  } catch (err) {
    collector.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: displayUrl(host, bound),
    collector,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        collector.close();
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
