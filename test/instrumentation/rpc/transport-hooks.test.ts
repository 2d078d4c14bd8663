import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RpcLink, rpcLinkOf } from '../../../src/instrumentation/rpc/rpc-link';
import { instrumentRpcServer } from '../../../src/instrumentation/rpc/rpc-server.hooks';
import { FakeJsonSocket, FakeNatsServer, FakeTcpServer, natsMessage } from './fake-servers';

/** The byte hooks of each transport, driven the way Nest 12's servers drive them. */

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const noWarning = (transport: string, missing: string[]) =>
  assert.fail(`unexpected warning: ${transport} ${missing.join(', ')}`);

/** How a link ended, as the handler wrapper would see it. */
function ending(link: RpcLink | undefined): { reason?: string; ended: boolean } {
  assert.ok(link, 'the transport put a link on the context');
  const seen: { reason?: string; ended: boolean } = { ended: false };
  link.claim((_link, reason) => {
    assert.equal(seen.ended, false, 'ends once');
    seen.ended = true;
    seen.reason = reason;
  });
  return seen;
}

function tcp(): { server: FakeTcpServer; socket: FakeJsonSocket } {
  const server = new FakeTcpServer();
  instrumentRpcServer(server, noWarning);
  return { server, socket: server.getSocketInstance({}) };
}

describe('TCP byte hooks', () => {
  it('a request: its frame in, each reply packet out, the end at the last one', () => {
    const { server, socket } = tcp();
    const text = '{"pattern":"sum","data":[1,2],"id":"a1"}';
    socket.emitMessage(text);
    const [request] = server.requests;
    const link = rpcLinkOf(request!.context);
    assert.equal(link?.expectsReply, true);
    const end = ending(link);

    request!.respond({ response: 1, isDisposed: false });
    assert.equal(end.ended, false, 'not the last packet');
    request!.respond({ response: 3, isDisposed: true });
    assert.deepEqual(end, { ended: true, reason: undefined });
    assert.equal(link!.requestBytes, bytes(text));
    // The frames' JSON without their `<length>#` prefix.
    const payloads = socket.frames.map((f) => f.slice(f.indexOf('#') + 1));
    assert.equal(payloads.length, 2);
    assert.equal(link!.responseBytes, bytes(payloads[0]!) + bytes(payloads[1]!));
  });

  it('an event: its size on a link that expects no reply', () => {
    const { server, socket } = tcp();
    const text = '{"pattern":"log","data":"héllo"}';
    socket.emitMessage(text);
    const link = rpcLinkOf(server.events[0]!.context);
    assert.equal(link?.expectsReply, false);
    assert.equal(link?.requestBytes, bytes(text));
  });

  it('a client that leaves before the last reply: cancelled, with the bytes sent until then', () => {
    const { server, socket } = tcp();
    const text = '{"pattern":"stream","data":null,"id":"s1"}';
    socket.emitMessage(text);
    const request = server.requests[0]!;
    const end = ending(rpcLinkOf(request.context));
    socket.close();
    assert.deepEqual(end, { ended: true, reason: 'cancelled' });
    // The request never got a reply, so its size is found by its pattern.
    assert.equal(rpcLinkOf(request.context)!.requestBytes, bytes(text));
    assert.equal(rpcLinkOf(request.context)!.responseBytes, 0);
  });

  it('a reply that throws while being sent ends the call as a handler error', () => {
    const { server, socket } = tcp();
    socket.emitMessage('{"pattern":"x","data":1,"id":"t1"}');
    const request = server.requests[0]!;
    const end = ending(rpcLinkOf(request.context));
    socket.sendMessage = () => {
      throw new Error('serializer failed');
    };
    assert.throws(() => request.respond({ response: 1, isDisposed: true }), /serializer failed/);
    assert.deepEqual(end, { ended: true, reason: 'handler_error' });
  });

  it('requests on two sockets keep their own sizes', () => {
    const server = new FakeTcpServer();
    instrumentRpcServer(server, noWarning);
    const a = server.getSocketInstance({});
    const b = server.getSocketInstance({});
    a.emitMessage('{"pattern":"p","data":"aaaaaaaa","id":"1"}');
    b.emitMessage('{"pattern":"p","data":"b","id":"1"}');
    const [ra, rb] = server.requests;
    ra!.respond({ response: 0, isDisposed: true });
    rb!.respond({ response: 0, isDisposed: true });
    assert.equal(
      rpcLinkOf(ra!.context)!.requestBytes,
      bytes('{"pattern":"p","data":"aaaaaaaa","id":"1"}'),
    );
    assert.equal(
      rpcLinkOf(rb!.context)!.requestBytes,
      bytes('{"pattern":"p","data":"b","id":"1"}'),
    );
  });
});

describe('NATS byte hooks', () => {
  it('a request: the message data in, each published reply out, the end at the last one', () => {
    const server = new FakeNatsServer();
    instrumentRpcServer(server, noWarning);
    const sent: unknown[] = [];
    const text = '{"pattern":"sum","data":[1,2],"id":"n1"}';
    const { context, publish } = server.handleMessage('sum', natsMessage(text, sent));
    const link = rpcLinkOf(context);
    assert.equal(link?.expectsReply, true);
    assert.equal(link?.requestBytes, bytes(text));
    const end = ending(link);

    publish!({ response: 'é', isDisposed: false });
    publish!({ response: 3, isDisposed: true });
    assert.deepEqual(end, { ended: true, reason: undefined });
    // Encoded once, by the hook, and handed to the client as bytes.
    assert.ok(sent.every((p) => p instanceof Uint8Array));
    const total = sent.reduce<number>((n, p) => n + (p as Uint8Array).length, 0);
    assert.equal(link!.responseBytes, total);
    assert.equal(
      new TextDecoder().decode(sent[0] as Uint8Array),
      '{"response":"é","isDisposed":false,"id":"n1"}',
    );
  });

  it('an event: its size on a link that expects no reply', () => {
    const server = new FakeNatsServer();
    instrumentRpcServer(server, noWarning);
    const text = '{"pattern":"log","data":"x"}';
    const { context } = server.handleMessage('log', natsMessage(text, []));
    assert.deepEqual(
      server.events.map((e) => e.channel),
      ['log'],
    );
    const link = rpcLinkOf(context);
    assert.equal(link?.expectsReply, false);
    assert.equal(link?.requestBytes, bytes(text));
  });
});

describe('servers the hooks cannot or need not reach', () => {
  it('a server of another transport is left as it is, without a warning', () => {
    const server = new FakeTcpServer();
    (server as { transportId: number }).transportId = 1; // Redis
    const deserializer = server.deserializer;
    instrumentRpcServer(server, noWarning);
    assert.equal(server.deserializer, deserializer);
    assert.equal(Object.hasOwn(server, 'handleRequest'), false);
  });

  it('each server is hooked once, however often it registers', () => {
    const server = new FakeTcpServer();
    instrumentRpcServer(server, noWarning);
    const hooked = server.handleRequest;
    instrumentRpcServer(server, noWarning);
    assert.equal(server.handleRequest, hooked);
    const socket = server.getSocketInstance({});
    socket.emitMessage('{"pattern":"p","data":1,"id":"1"}');
    server.requests[0]!.respond({ response: 1, isDisposed: true });
    // Counted once, not once per hook layer.
    const frame = socket.frames[0]!;
    assert.equal(
      rpcLinkOf(server.requests[0]!.context)!.responseBytes,
      bytes(frame) - frame.indexOf('#') - 1,
    );
  });
});
