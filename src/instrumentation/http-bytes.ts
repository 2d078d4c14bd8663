import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestHeaders, responseHeader } from './node-http-access';

/**
 * Payload bytes of HTTP requests and responses as they travel, read from what Node and the
 * adapters already know (headers, raw bodies, writes), never by serialising anything again.
 */

/** Request payload bytes: Content-Length, else the raw body Nest kept (`rawBody: true`). */
export function requestBytes(req: IncomingMessage | undefined, carrier?: unknown): number {
  return req ? (requestBodyBytes(req, carrier) ?? 0) : 0;
}

/**
 * The request body's size: its Content-Length; 0 without a body (neither Content-Length nor
 * Transfer-Encoding); for a chunked upload the raw body Nest kept (`rawBody: true`), else
 * undefined (unknown).
 */
export function requestBodyBytes(req: IncomingMessage, carrier?: unknown): number | undefined {
  const headers = requestHeaders(req);
  const header = headers['content-length'];
  if (header !== undefined) return Number(header) || 0;
  // Without either header there is no body (and the lookups below are slow misses on Express).
  if (headers['transfer-encoding'] === undefined) return 0;
  // Chunked uploads carry no Content-Length; Nest's `rawBody: true` keeps the bytes received.
  // Express keeps it on the request itself; Fastify on its own request (the reply's `request`).
  const raw =
    (req as { rawBody?: Buffer }).rawBody ??
    (carrier as { request?: { rawBody?: Buffer } } | undefined)?.request?.rawBody;
  return raw ? raw.length : undefined;
}

/** The Content-Length sent, 0 when none was. */
export function contentLength(res: ServerResponse, carrier: unknown): number {
  return declaredLength(res, carrier) ?? 0;
}

/**
 * The Content-Length of a response, undefined when it has none (a chunked stream). Fastify
 * hands its headers straight to `writeHead()`, where the raw response's `getHeader()` cannot
 * see them: its reply is asked instead (its `getHeader()` falls back to the raw response's).
 */
export function declaredLength(res: ServerResponse, carrier: unknown): number | undefined {
  const reply = carrier !== res ? (carrier as { getHeader?(name: string): unknown }) : undefined;
  const header =
    typeof reply?.getHeader === 'function'
      ? reply.getHeader('content-length')
      : responseHeader(res, 'content-length');
  if (header === undefined) return undefined;
  return typeof header === 'number' ? header : Number(header) || 0;
}

const chunkSize = (chunk: unknown, encoding: unknown): number =>
  typeof chunk === 'string'
    ? Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    : chunk instanceof Uint8Array
      ? chunk.byteLength
      : 0;

/** Reports the payload bytes of every write on this one response (streams, SSE, manual writes). */
export function countResponseWrites(res: ServerResponse, onBytes: (bytes: number) => void): void {
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    onBytes(chunkSize(chunk, rest[0]));
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (chunk !== undefined && typeof chunk !== 'function') onBytes(chunkSize(chunk, rest[0]));
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
}
