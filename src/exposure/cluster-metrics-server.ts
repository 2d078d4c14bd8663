import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  ClusterMetricsCollector,
  ClusterMetricsCollectorOptions,
  CONFIG_MESSAGES,
  DynamoMetricsError,
  negotiateContentType,
} from '../core';
import { displayUrl, listen, send } from './http-server.util';

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
  const host = options.host ?? '0.0.0.0';
  const path = options.path ?? '/metrics';
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

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', {
        allow: 'GET, HEAD',
      });
    }
    if (url === path) {
      const contentType = negotiateContentType(req.headers.accept);
      try {
        return send(res, 200, contentType, await collector.collect(contentType));
      } catch (err) {
        onError(err as Error);
        return send(res, 503, 'text/plain; charset=utf-8', `${(err as Error).message}\n`);
      }
    }
    if (url === '/live') {
      return send(res, 200, 'application/json', JSON.stringify({ status: 'live' }));
    }
    if (url === '/health') {
      const workers = collector.workers.length;
      return send(
        res,
        workers > 0 ? 200 : 503,
        'application/json',
        JSON.stringify({ status: workers > 0 ? 'ready' : 'notready', workers }),
      );
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
  };

  const server: Server = createServer((req, res) => void handle(req, res));
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
