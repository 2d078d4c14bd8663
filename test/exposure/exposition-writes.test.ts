import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastify from 'fastify';
import { replyExposition, writeExposition } from '../../src/internal';
import { turnsDuring } from '../support/event-loop';
import { get } from '../support/http-client';

/** 16 MB in 64 parts of 256 KB, as a 10,000-series scrape is written. */
const PARTS = Array.from({ length: 64 }, (_, i) => Buffer.alloc(256 * 1024, 97 + (i % 26)));
const exposition = () => ({ contentType: 'text/plain', parts: PARTS, release: () => undefined });

/** Fetches the exposition the server on `port` writes, counting turns of the loop meanwhile. */
async function assertOnePartPerTurn(port: number): Promise<void> {
  const { turns, result } = await turnsDuring(() => get(`http://127.0.0.1:${port}/metrics`));
  assert.equal(result.body.length, 64 * 256 * 1024);
  assert.ok(turns >= PARTS.length, `${turns} turns for ${PARTS.length} parts`);
}

/**
 * A loopback client drains as fast as the server writes, so every write is taken at once and
 * 'drain' follows on the next tick: without a turn of the loop between parts, the whole
 * response went out in one stretch (README, "Performance") while streamed tokens waited.
 */
describe('a large exposition is written one part per turn of the event loop', () => {
  it('through a Node response (system server, Express)', async () => {
    const server = createServer((_req, res) => void writeExposition(res, exposition()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await assertOnePartPerTurn((server.address() as AddressInfo).port);
    } finally {
      server.close();
    }
  });

  it("through Fastify's reply", async () => {
    const app = fastify();
    // Returning the reply tells Fastify the handler sends it (as Nest's @Res() route does).
    app.get('/metrics', (_req, reply) => {
      void replyExposition(reply, exposition());
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await assertOnePartPerTurn((app.server.address() as AddressInfo).port);
    } finally {
      await app.close();
    }
  });
});
