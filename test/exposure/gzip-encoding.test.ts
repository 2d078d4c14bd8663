import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import fastify from 'fastify';
import { acceptsGzip, gzipParts, replyExposition, writeExposition } from '../../src/internal';
import { turnsDuring } from '../support/event-loop';
import { http, HttpResult } from '../support/http-client';

/**
 * gzip for /metrics: which Accept-Encoding headers get it, compression on zlib's threadpool
 * with the event loop turning meanwhile, and the response (headers, compressed body written one
 * part per turn, the exposition's buffers released) through a Node response and Fastify's reply.
 */

/** 16 MB in 64 parts of 256 KB, as a 10,000-series scrape is written; varied, not all one byte. */
const PARTS = Array.from({ length: 64 }, (_, i) =>
  Buffer.from(
    Array.from({ length: 4096 }, (_, k) => `series_${i}_${k % 97} ${(k * 7919) % 100003}\n`)
      .join('')
      .padEnd(256 * 1024, '#')
      .slice(0, 256 * 1024),
  ),
);
const PLAIN = Buffer.concat(PARTS);

function exposition() {
  const released = { count: 0 };
  return {
    released,
    value: { contentType: 'text/plain', parts: PARTS, release: () => released.count++ },
  };
}

describe('acceptsGzip (RFC 9110 Accept-Encoding)', () => {
  const cases: Array<[string | string[] | undefined, boolean]> = [
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['deflate, gzip;q=0.5', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['*', true],
    ['br, *;q=0.1', true],
    [['identity', 'gzip'], true],
    [undefined, false],
    ['', false],
    ['identity', false],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['gzip;q=0.0, *', false],
    ['*;q=0', false],
    ['gzip;q=abc', false],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} -> ${expected}`, () => {
      assert.equal(acceptsGzip(header), expected);
    });
  }
});

describe('gzipParts', () => {
  it('one gzip member of all parts, compressed while the event loop keeps turning', async () => {
    const { turns, result } = await turnsDuring(() => gzipParts(PARTS));
    assert.deepEqual(gunzipSync(Buffer.concat(result)), PLAIN);
    assert.ok(turns >= 10, `the loop turned ${turns} times while zlib worked`);
    assert.ok(result.every((chunk) => chunk.length <= 64 * 1024));
    assert.deepEqual(
      await gzipParts([]).then((c) => gunzipSync(Buffer.concat(c))),
      Buffer.alloc(0),
    );
  });
});

async function assertGzipResponse(port: number, released: () => { count: number }): Promise<void> {
  const { turns, result } = await turnsDuring(() =>
    http(port, 'GET', '/metrics', undefined, { 'accept-encoding': 'gzip' }),
  );
  assert.equal(result.status, 200);
  assert.equal(result.headers['content-type'], 'text/plain');
  assert.equal(result.headers['content-encoding'], 'gzip');
  assert.equal(result.headers.vary, 'Accept, Accept-Encoding');
  assert.equal(result.headers['content-length'], String(result.body.length));
  assert.deepEqual(gunzipSync(result.body), PLAIN);
  // Compressed output is written one 64 KB part per turn, after the turns of compression.
  assert.ok(turns >= Math.ceil(result.body.length / (64 * 1024)), `${turns} turns`);
  assert.equal(released().count, 1, "the exposition's buffers were released once");
}

function assertPlainResponse(result: HttpResult): void {
  assert.equal(result.status, 200);
  assert.equal(result.headers['content-encoding'], undefined);
  assert.equal(result.headers.vary, 'Accept, Accept-Encoding');
  assert.equal(result.headers['content-length'], String(PLAIN.length));
  assert.deepEqual(result.body, PLAIN);
}

describe('a gzip-encoded exposition response', () => {
  it('through a Node response (system server, Express); HEAD has no body and no length', async () => {
    let current = exposition();
    const server = createServer((req, res) => {
      current = exposition();
      void writeExposition(res, current.value, req.headers['accept-encoding'] === 'gzip');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await assertGzipResponse(port, () => current.released);
      assertPlainResponse(await http(port, 'GET', '/metrics'));
      const head = await http(port, 'HEAD', '/metrics', undefined, { 'accept-encoding': 'gzip' });
      assert.equal(head.status, 200);
      assert.equal(head.headers['content-encoding'], 'gzip');
      assert.equal(head.headers['content-length'], undefined);
      assert.equal(head.body.length, 0);
      assert.equal(current.released.count, 1);
      const plainHead = await http(port, 'HEAD', '/metrics');
      assert.equal(plainHead.headers['content-length'], String(PLAIN.length));
    } finally {
      server.close();
    }
  });

  it("through Fastify's reply", async () => {
    let current = exposition();
    const app = fastify();
    app.get('/metrics', (req, reply) => {
      current = exposition();
      void replyExposition(reply, current.value, req.headers['accept-encoding'] === 'gzip');
      return reply;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    try {
      await assertGzipResponse(port, () => current.released);
      assertPlainResponse(await http(port, 'GET', '/metrics'));
    } finally {
      await app.close();
    }
  });
});
