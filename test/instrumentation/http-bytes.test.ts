import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import {
  contentLength,
  countResponseWrites,
  declaredLength,
  requestBodyBytes,
  requestBytes,
} from '../../src/instrumentation/http-bytes';
import { nodeResponseOf } from '../../src/instrumentation/node-http-access';

/** A request as Node parses it, with these headers (never sent anywhere). */
function request(headers: Record<string, string>, rawBody?: Buffer): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  if (rawBody) (req as { rawBody?: Buffer }).rawBody = rawBody;
  return req;
}

/** A response whose write/end record their arguments instead of sending. */
function fakeResponse(): { res: ServerResponse; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const res = {
    write: (...args: unknown[]) => (calls.push(['write', ...args]), true),
    end(...args: unknown[]) {
      calls.push(['end', ...args]);
      return this;
    },
  };
  return { res: res as unknown as ServerResponse, calls };
}

describe('HTTP request bytes', () => {
  it('Content-Length when sent; 0 without a body; 0 for a bad header', () => {
    assert.equal(requestBytes(request({ 'content-length': '12' })), 12);
    assert.equal(requestBytes(request({})), 0);
    assert.equal(requestBytes(undefined), 0);
    assert.equal(requestBytes(request({ 'content-length': 'abc' })), 0);
  });

  it('a chunked upload: the raw body Express or Fastify kept, else unknown', () => {
    const chunked = { 'transfer-encoding': 'chunked' };
    // Express keeps `rawBody` on the request itself.
    assert.equal(requestBytes(request(chunked, Buffer.alloc(5))), 5);
    // Fastify keeps it on its own request, the reply's `request`.
    const reply = { request: { rawBody: Buffer.alloc(7) } };
    assert.equal(requestBytes(request(chunked), reply), 7);
    assert.equal(requestBodyBytes(request(chunked)), undefined);
    assert.equal(requestBytes(request(chunked)), 0);
  });
});

describe('HTTP response Content-Length', () => {
  it('read from the Node response (Express), undefined when none was set', () => {
    const res = new ServerResponse(request({}));
    assert.equal(declaredLength(res, res), undefined);
    assert.equal(contentLength(res, res), 0);
    res.setHeader('Content-Length', 42);
    assert.equal(declaredLength(res, res), 42);
    res.setHeader('Content-Length', '17');
    assert.equal(contentLength(res, res), 17);
  });

  it('asked of the Fastify reply, whose headers the raw response does not see', () => {
    const res = new ServerResponse(request({}));
    const reply = { raw: res, getHeader: (name: string) => (name === 'content-length' ? '9' : 0) };
    assert.equal(declaredLength(res, reply), 9);
    assert.equal(contentLength(res, { raw: res, getHeader: () => undefined }), 0);
  });
});

describe('counting response writes', () => {
  it('counts the payload bytes of every write and of end(chunk), by encoding', () => {
    const { res, calls } = fakeResponse();
    const counted: number[] = [];
    countResponseWrites(res, (n) => counted.push(n));
    res.write('héllo'); // é is two bytes in UTF-8
    res.write(Buffer.from([1, 2, 3]));
    res.write('aGk=', 'base64'); // "hi"
    res.write(new Uint8Array(4), () => undefined);
    res.end('!');
    assert.deepEqual(counted, [6, 3, 2, 4, 1]);
    // Every call reaches the response unchanged.
    assert.equal(calls.length, 5);
    assert.deepEqual(calls[2], ['write', 'aGk=', 'base64']);
    assert.deepEqual(calls[4], ['end', '!']);
  });

  it('end() and end(callback) send no payload and count none', () => {
    const { res, calls } = fakeResponse();
    const counted: number[] = [];
    countResponseWrites(res, (n) => counted.push(n));
    const done = () => undefined;
    res.end(done);
    res.end();
    assert.deepEqual(counted, []);
    assert.deepEqual(calls, [
      ['end', done],
      ['end', undefined],
    ]);
  });
});

describe('nodeResponseOf: the one unwrapping of handler arguments', () => {
  it('an Express response, a Fastify reply, an Express request; nothing else', () => {
    const req = request({});
    const res = new ServerResponse(req);
    assert.equal(nodeResponseOf(res), res);
    assert.equal(nodeResponseOf({ raw: res }), res);
    (req as { res?: ServerResponse }).res = res;
    assert.equal(nodeResponseOf(req), res);
    assert.equal(nodeResponseOf(request({})), undefined);
    // A Fastify request: its `raw` is the Node request, not a response.
    assert.equal(nodeResponseOf({ raw: req }), undefined);
    assert.equal(nodeResponseOf({ getPattern: () => 'sum' }), undefined);
    assert.equal(nodeResponseOf(undefined), undefined);
    assert.equal(nodeResponseOf(null), undefined);
  });
});
