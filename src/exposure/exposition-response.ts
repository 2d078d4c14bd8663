import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Exposition } from '../core';
import { gzipParts } from './gzip-encoding';

/** The response varies with the format asked for and the encodings accepted. */
const VARY = 'Accept, Accept-Encoding';

/** The headers of an exposition response: the body's length when known (never for HEAD + gzip). */
export function expositionHeaders(
  contentType: string,
  gzip: boolean,
  contentLength?: number,
): Record<string, string | number> {
  return {
    'content-type': contentType,
    vary: VARY,
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...(contentLength === undefined ? {} : { 'content-length': contentLength }),
  };
}

/** Releases the parts once the response is over: every byte written, or the client gone. */
function releaseAfter(res: ServerResponse, release: () => void): void {
  // A turn later: a write the closing socket cancels is let go of first.
  res.once('close', () => setImmediate(release));
}

/** Resolves when the response can take more, or has closed (a client that leaves never drains). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The parts one per turn of the event loop (see writeExposition). */
async function* onePerTurn(parts: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    yield part;
    await nextTurn();
  }
}

const byteLength = (parts: readonly Buffer[]): number =>
  parts.reduce((total, part) => total + part.length, 0);

/**
 * The body to send: the exposition's parts as they are, or gzip-compressed off the main thread
 * (then the exposition's own parts are released at once, and the compressed ones sent).
 */
async function encoded(exposition: Exposition, gzip: boolean): Promise<Exposition> {
  if (!gzip) return exposition;
  try {
    const parts = await gzipParts(exposition.parts);
    return { contentType: exposition.contentType, parts, release: () => undefined };
  } finally {
    exposition.release();
  }
}

/**
 * Writes an exposition on a Node response (the system server, Express) part by part, waiting
 * for the socket to drain between parts: a large `/metrics` never holds the event loop for the
 * time it takes to copy all of it. gzip-encoded when `gzip` (the scraper accepts it). No body
 * for HEAD, and nothing compressed for it (its length is then left out).
 */
export async function writeExposition(
  res: ServerResponse,
  exposition: Exposition,
  gzip = false,
): Promise<void> {
  if (res.req?.method === 'HEAD') {
    exposition.release();
    const length = gzip ? undefined : byteLength(exposition.parts);
    res.writeHead(200, expositionHeaders(exposition.contentType, gzip, length));
    res.end();
    return;
  }
  const { contentType, parts, release } = await encoded(exposition, gzip);
  releaseAfter(res, release);
  res.writeHead(200, expositionHeaders(contentType, gzip, byteLength(parts)));
  for (const part of parts) {
    if (res.destroyed) return;
    if (!res.write(part)) await drained(res);
    // A turn of the loop between parts, drained or not: a socket with room takes a write at
    // once and reports 'drain' on the next tick, so waiting for 'drain' alone chained every
    // write of a 16 MB scrape into one long stretch on loopback (README, "Performance").
    await nextTurn();
  }
  res.end();
}

/** What Fastify's reply offers (Express's response is a Node response). */
interface Reply {
  raw: ServerResponse;
  header(name: string, value: string | number): unknown;
  send(body: unknown): unknown;
}

/**
 * Sends an exposition through the adapter's response: Express's (a Node response) directly,
 * Fastify's reply as a stream of the parts, which Fastify writes as the socket drains.
 */
export async function replyExposition(
  response: unknown,
  exposition: Exposition,
  gzip = false,
): Promise<void> {
  if (response instanceof ServerResponse) return writeExposition(response, exposition, gzip);
  const reply = response as Reply;
  // Fastify answers HEAD with its GET route and drops the body: nothing to compress for it.
  const head = reply.raw.req?.method === 'HEAD';
  const { contentType, parts, release } = head ? exposition : await encoded(exposition, gzip);
  releaseAfter(reply.raw, release);
  const length = head && gzip ? undefined : byteLength(parts);
  for (const [name, value] of Object.entries(expositionHeaders(contentType, gzip, length))) {
    reply.header(name, value);
  }
  // A stream for HEAD: Fastify would measure a Buffer, and the body is not the one sent.
  reply.send(
    parts.length === 1 && !head
      ? parts[0]
      : Readable.from(onePerTurn(head ? [] : parts), { objectMode: false }),
  );
}
