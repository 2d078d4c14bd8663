import { createServer, Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP port that was free a moment ago (for servers that cannot take port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = await occupy(0, host);
  const { port } = server.address() as AddressInfo;
  await release(server);
  return port;
}

/** Listens on host:port with a plain TCP server; rejects (EADDRINUSE, ...) when it cannot. */
export function occupy(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export function release(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
