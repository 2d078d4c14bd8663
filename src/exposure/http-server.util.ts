import {
  createServer as createHttpServer,
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DynamoMetricsError } from '../core';
import { CONFIG_MESSAGES } from '../config/config.messages';

/** Sends a complete response (no body for HEAD). Shared by the system and cluster servers. */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export const sendJson = (res: ServerResponse, status: number, value: unknown): void =>
  send(res, status, 'application/json', JSON.stringify(value));

const TEXT = 'text/plain; charset=utf-8';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * The request handler of a small read-only server (the system server, the cluster metrics
 * server): GET and HEAD only, exact paths from `routes`, 404 for the rest; a route that throws
 * is reported to `onError` and answered with 500.
 */
export function routeTable(
  routes: ReadonlyMap<string, Route>,
  onError: (path: string, err: Error) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestPath(req.url);
    try {
      // An unknown path is 404 whatever the method; a known one answers GET and HEAD only.
      const route = routes.get(path);
      if (!route) return send(res, 404, TEXT, 'Not Found\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(res, 405, TEXT, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
      }
      await route(req, res);
    } catch (err) {
      onError(path, err as Error);
      if (!res.headersSent) send(res, 500, TEXT, 'Internal Server Error\n');
    }
  };
  return (req, res) => void handle(req, res);
}

/**
 * The path of a request target: origin-form (`/metrics?x`) or absolute-form
 * (`http://host:8081/metrics`, which HTTP/1.1 servers must accept, and proxies send).
 */
export function requestPath(target = '/'): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    try {
      return new URL(target).pathname;
    } catch {
      return target;
    }
  }
  return target.split('?')[0]!;
}

/** The environment variables that set a server's port and host, named in its start-up errors. */
export interface ListenVariables {
  port: string;
  host: string;
}

/**
 * Listens and resolves to the bound port, or rejects with an error naming the server, host and
 * port (a taken port says so), so start-up stops with a message an operator can act on.
 */
export function listen(
  server: Server,
  name: string,
  port: number,
  host: string,
  variables?: ListenVariables,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new DynamoMetricsError(
          err.code === 'EADDRINUSE'
            ? CONFIG_MESSAGES.portInUse(name, host, port, variables?.port)
            : CONFIG_MESSAGES.listenFailed(
                name,
                host,
                port,
                err.message,
                variables && `${variables.host} and ${variables.port}`,
              ),
        ),
      ),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A URL a person on this host can open (wildcard binds shown as loopback). */
export function displayUrl(host: string, port: number, scheme = 'http'): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** How long sockets may take and how many may be open (option system.connections). */
export interface ConnectionLimits {
  max: number;
  idleTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * An HTTP server (HTTPS when given TLS options) that clients cannot starve: a socket with no
 * traffic for `idleTimeoutMs` is closed (one that never sends a byte included: Node's headers
 * timeout only starts with a request's first byte), as is a TLS handshake that takes as long;
 * headers and requests have their own deadlines, checked every second rather than Node's 30 s;
 * sockets past `max` are closed as they arrive, so this server never holds more descriptors
 * than that, whatever else the process serves.
 */
export function createLimitedServer(
  handler: RequestListener,
  limits: ConnectionLimits,
  tls?: TlsServerOptions,
): Server {
  const options = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const server: Server = tls
    ? createHttpsServer({ ...tls, ...options, handshakeTimeout: limits.idleTimeoutMs }, handler)
    : createHttpServer(options, handler);
  server.maxConnections = limits.max;
  server.timeout = limits.idleTimeoutMs;
  return server;
}
