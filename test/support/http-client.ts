import { Agent, request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { poll } from './poll';

/**
 * The HTTP client of the suite: node:http on 127.0.0.1, a fresh connection per request unless
 * asked for keep-alive, bodies with an exact Content-Length (or chunked, when given in parts).
 */

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Bytes of body received (after chunked framing is removed). */
  received: number;
  text: string;
  /** The response ended normally ('end'); false when the connection closed first. */
  complete: boolean;
}

export interface HttpOptions {
  /** Destroy the request with an error after this long. */
  timeoutMs?: number;
  /** Reuse connections (a shared keep-alive agent), as browsers and fetch() do. */
  keepAlive?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
}

const keepAliveAgent = new Agent({ keepAlive: true });

/**
 * One request; resolves when the response ends or its connection closes (see `complete`).
 * A string[] body is sent with Transfer-Encoding: chunked, one write per part.
 */
export function http(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer | string[],
  headers: Record<string, string> = {},
  options: HttpOptions = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const parts = Array.isArray(body) ? body : undefined;
    const payload = body === undefined || parts ? undefined : Buffer.from(body as string | Buffer);
    const req = httpRequest(
      {
        host: options.host ?? '127.0.0.1',
        port,
        method,
        path,
        agent: options.keepAlive ? keepAliveAgent : false,
        timeout: options.timeoutMs,
        headers: {
          ...(payload ? { 'content-length': String(payload.length) } : {}),
          ...(parts ? { 'transfer-encoding': 'chunked' } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let complete = false;
        const done = () => {
          const all = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: all,
            received: all.length,
            text: all.toString('utf8'),
            complete,
          });
        };
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          complete = true;
          done();
        });
        // A stream that fails mid-way may be cut off: report what arrived.
        res.on('error', () => undefined);
        res.on('close', done);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    for (const part of parts ?? []) req.write(part);
    req.end(payload);
  });
}

export const getPath = (port: number, path: string) => http(port, 'GET', path);

export const postJson = (port: number, path: string, value: unknown) =>
  http(port, 'POST', path, JSON.stringify(value), { 'content-type': 'application/json' });

/** GET of a full URL on 127.0.0.1 over a kept-alive connection. */
export function get(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const { hostname, port, pathname, search } = new URL(url);
  return http(Number(port), 'GET', `${pathname}${search}`, undefined, headers, {
    keepAlive: true,
    // An IPv6 literal comes bracketed in URLs, bare in socket addresses.
    host: hostname.replace(/^\[|\]$/g, ''),
  });
}

/** The `data:` payloads of an SSE body, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
}

export interface AbortOptions {
  method?: string;
  /** A JSON body (sent as application/json). */
  json?: unknown;
}

/**
 * Sends a request and destroys the socket as soon as the body received so far satisfies
 * `until` (default: any byte). Resolves with that body once the client side is closed; rejects
 * if the response ends first.
 */
export function abortAfter(
  port: number,
  path: string,
  until: (received: string) => boolean = (text) => text.length > 0,
  { method = 'GET', json }: AbortOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    let text = '';
    let aborted = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
          : {},
      },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          if (aborted) return;
          text += chunk.toString('utf8');
          if (until(text)) {
            aborted = true;
            req.destroy();
          }
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          if (!aborted)
            reject(new Error(`${path} ended before the abort: ${JSON.stringify(text)}`));
        });
      },
    );
    req.on('error', (err) => {
      // ECONNRESET after our own destroy() is expected.
      if (!aborted) reject(err);
    });
    req.on('close', () => {
      if (aborted) resolve(text);
    });
    req.end(payload);
  });
}

/** Aborts an SSE stream once its first `data:` line has arrived. */
export const abortAfterFirstEvent = (port: number, path: string) =>
  abortAfter(port, path, (text) => /^data: .*\n/m.test(text));

/** POSTs JSON and destroys the socket once `events` complete SSE events have arrived. */
export const postAndAbortAfterEvents = (port: number, path: string, value: unknown, events = 1) =>
  abortAfter(port, path, (text) => (text.match(/\n\n/g) ?? []).length >= events, {
    method: 'POST',
    json: value,
  });

/**
 * Opens a GET stream and resolves once the body received so far satisfies `ready`, leaving the
 * connection open; `abort()` then destroys the client socket.
 */
export function openStream(
  port: number,
  path: string,
  ready: (received: string) => boolean = (text) => /^data: .*\n/m.test(text),
): Promise<{ received: () => string; abort: () => void }> {
  return new Promise((resolve, reject) => {
    let text = '';
    let resolved = false;
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'GET', path, agent: false },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (!resolved && ready(text)) {
            resolved = true;
            resolve({ received: () => text, abort: () => req.destroy() });
          }
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          if (!resolved)
            reject(new Error(`${path} ended before it was ready: ${JSON.stringify(text)}`));
        });
      },
    );
    req.on('error', (err) => {
      if (!resolved) reject(err);
    });
    req.end();
  });
}

/**
 * Sends a request and keeps it open: `abort()` destroys the client socket whenever the test
 * decides (e.g. once the server is known to be handling it); `settled` resolves either way, with
 * the response or the client-side error.
 */
export function pendingRequest(
  port: number,
  method: string,
  path: string,
  json?: unknown,
): { abort: () => void; settled: Promise<HttpResult | Error> } {
  const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method,
    path,
    agent: false,
    headers: payload
      ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
      : {},
  });
  const settled = new Promise<HttpResult | Error>((resolve) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => resolve(err));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          received: body.length,
          text: body.toString('utf8'),
          complete: true,
        });
      });
    });
    req.on('error', (err) => resolve(err));
  });
  req.end(payload);
  return { abort: () => req.destroy(), settled };
}

/**
 * POSTs JSON and destroys the socket, before any response, as soon as `ready()` says the server
 * is handling it. Rejects if a response arrives first.
 */
export async function postAndAbortWhen(
  port: number,
  path: string,
  value: unknown,
  ready: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const pending = pendingRequest(port, 'POST', path, value);
  const early = pending.settled.then((result) => {
    if (!(result instanceof Error)) {
      throw new Error(`${path} answered ${result.status} before the abort`);
    }
  });
  try {
    await Promise.race([
      poll(`${path} to be in progress`, async () => (await ready()) || undefined, {
        timeoutMs,
        intervalMs: 5,
      }),
      early.then(() => {
        throw new Error(`${path} failed before the abort`);
      }),
    ]);
  } finally {
    pending.abort();
  }
  const result = await pending.settled;
  if (!(result instanceof Error)) throw new Error(`${path} answered ${result.status} first`);
}
