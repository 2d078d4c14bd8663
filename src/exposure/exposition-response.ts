import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * An exposition ready to send: its content type, its UTF-8 parts in order, and `release()`,
 * called once the parts are no longer read (their buffers are reused by later scrapes).
 */
export interface ExpositionParts {
  contentType: string;
  parts: readonly Buffer[];
  release(): void;
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
 * Writes an exposition on a Node response (the system server, Express) part by part, waiting
 * for the socket to drain between parts: a large `/metrics` never holds the event loop for the
 * time it takes to copy all of it. No body for HEAD.
 */
export async function writeExposition(
  res: ServerResponse,
  { contentType, parts, release }: ExpositionParts,
): Promise<void> {
  releaseAfter(res, release);
  res.writeHead(200, { 'content-type': contentType, 'content-length': byteLength(parts) });
  if (res.req?.method === 'HEAD') {
    res.end();
    return;
  }
  for (const part of parts) {
    if (res.destroyed) return;
    if (!res.write(part)) await drained(res);
    // A turn of the loop between parts, drained or not: a socket with room takes a write at
    // once and reports 'drain' on the next tick, so waiting for 'drain' alone chained every
    // write of a 16 MB scrape into one 5-14 ms stretch on loopback.
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
export function replyExposition(response: unknown, exposition: ExpositionParts): Promise<void> {
  if (response instanceof ServerResponse) return writeExposition(response, exposition);
  const { contentType, parts, release } = exposition;
  const reply = response as Reply;
  releaseAfter(reply.raw, release);
  reply.header('Content-Type', contentType);
  reply.header('Content-Length', byteLength(parts));
  reply.send(
    parts.length === 1 ? parts[0] : Readable.from(onePerTurn(parts), { objectMode: false }),
  );
  return Promise.resolve();
}
