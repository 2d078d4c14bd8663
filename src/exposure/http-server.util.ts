import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONFIG_MESSAGES, DynamoMetricsError } from '../core';

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

/**
 * Listens and resolves to the bound port, or rejects with an error naming the server, host and
 * port (a taken port says so), so start-up stops with a message an operator can act on.
 */
export function listen(server: Server, name: string, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new DynamoMetricsError(
          err.code === 'EADDRINUSE'
            ? CONFIG_MESSAGES.portInUse(name, host, port)
            : CONFIG_MESSAGES.listenFailed(name, host, port, err.message),
        ),
      ),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A URL a person on this host can open (wildcard binds shown as loopback). */
export function displayUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}
