import { EventEmitter } from 'node:events';
import { IncomingMessage, OutgoingMessage, ServerResponse } from 'node:http';

/**
 * Reads of Node's request and response objects that stay cheap under Express.
 *
 * Express re-prototypes every request and response (`Object.setPrototypeOf(res, app.response)`),
 * which invalidates V8's inline caches for every lookup that walks their prototype chains:
 * `res.on`, `res.writableFinished`, `res.getHeader` or a miss such as `res.raw` cost far more on
 * an Express response than on Fastify's, and a decorated route made a dozen of them per request,
 * the whole gap to a plain Express route (figures: README, "Performance").
 * Calling Node's own prototype functions and getters directly touches only own properties.
 */

type Getter<T> = (this: unknown) => T;

function getterOf<T>(proto: object, name: string, fallback: (self: never) => T): Getter<T> {
  const get = Object.getOwnPropertyDescriptor(proto, name)?.get as Getter<T> | undefined;
  return get ?? (fallback as unknown as Getter<T>);
}

const addListener = EventEmitter.prototype.on;
const getHeader = OutgoingMessage.prototype.getHeader;
const writableFinished = getterOf<boolean>(
  OutgoingMessage.prototype,
  'writableFinished',
  (res: ServerResponse) => res.writableFinished,
);
const headersSent = getterOf<boolean>(
  OutgoingMessage.prototype,
  'headersSent',
  (res: ServerResponse) => res.headersSent,
);
const incomingHeaders = getterOf<IncomingMessage['headers']>(
  IncomingMessage.prototype,
  'headers',
  (req: IncomingMessage) => req.headers,
);

/** The Node response behind a handler's response argument (Express response or Fastify reply). */
export function nodeResponseOf(carrier: unknown): ServerResponse | undefined {
  if (carrier instanceof ServerResponse) return carrier;
  const raw = (carrier as { raw?: unknown } | null | undefined)?.raw;
  return raw instanceof ServerResponse ? raw : undefined;
}

/** `res.on('close', listener)`. */
export function onResponseClose(res: ServerResponse, listener: () => void): void {
  addListener.call(res, 'close', listener);
}

/** `res.writableFinished`: every byte of the response was handed to the system. */
export function responseFinished(res: ServerResponse): boolean {
  return writableFinished.call(res);
}

/** `res.headersSent`: the status line and headers went out. */
export function responseHeadersSent(res: ServerResponse): boolean {
  return headersSent.call(res);
}

/** `res.getHeader(name)`. */
export function responseHeader(res: ServerResponse, name: string): unknown {
  return getHeader.call(res, name);
}

/** `req.headers`. */
export function requestHeaders(req: IncomingMessage): IncomingMessage['headers'] {
  return incomingHeaders.call(req);
}
