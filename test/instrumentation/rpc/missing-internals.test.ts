import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { LOG_MESSAGES } from '../../../src/config/log.messages';
import { rpcLinkOf } from '../../../src/instrumentation/rpc/rpc-link';
import { instrumentRpcServer } from '../../../src/instrumentation/rpc/rpc-server.hooks';
import { RpcWireBytesService } from '../../../src/instrumentation/rpc/rpc-wire-bytes.service';
import { CapturingLogger } from '../../support/logger';
import { FakeNatsServer, FakeTcpServer, natsMessage } from './fake-servers';

/**
 * A NestJS whose microservice internals are not where or how the byte hooks expect them: the
 * server gets no hooks at all (never a half-hooked one counting wrong bytes) and the
 * application one warning naming what was missing.
 */

function warnings(server: object): Array<[string, string[]]> {
  const seen: Array<[string, string[]]> = [];
  instrumentRpcServer(server, (transport, missing) => seen.push([transport, missing]));
  return seen;
}

/** A Nest 11 ServerTCP: no Server#handleRequest. */
function withoutHandleRequest(): FakeTcpServer {
  const server = new FakeTcpServer();
  Object.defineProperty(server, 'handleRequest', { value: undefined });
  return server;
}

describe('missing or reshaped internals', () => {
  it('TCP without Server#handleRequest: named, and nothing of the server wrapped', () => {
    const server = withoutHandleRequest();
    const { deserializer, handleEvent, getSocketInstance } = server;
    assert.deepEqual(warnings(server), [
      ['TCP', ['Server#handleRequest(context, produce, respond)']],
    ]);
    assert.equal(server.deserializer, deserializer);
    assert.equal(server.handleEvent, handleEvent);
    assert.equal(server.getSocketInstance, getSocketInstance);
    // Messages flow as before, and no context carries a link: no bytes, never wrong ones.
    server.getSocketInstance({}).emitMessage('{"pattern":"log","data":1}');
    assert.equal(rpcLinkOf(server.events[0]!.context), undefined);
  });

  it('a hook point that takes fewer arguments than the hooks read is reported too', () => {
    const server = new FakeTcpServer();
    server.handleRequest = function (context: unknown) {
      return context;
    } as FakeTcpServer['handleRequest'];
    assert.deepEqual(warnings(server), [
      ['TCP', ['Server#handleRequest(context, produce, respond)']],
    ]);
    // A wrapper of another library, `(...args)`, says nothing about its arguments: accepted.
    const wrapped = new FakeTcpServer();
    const inner = wrapped.handleRequest;
    wrapped.handleRequest = function (this: unknown, ...args: unknown[]) {
      return (inner as (...a: unknown[]) => void).apply(this, args);
    } as FakeTcpServer['handleRequest'];
    assert.deepEqual(warnings(wrapped), []);
  });

  it('a socket class without JsonSocket’s frame methods: TCP gets no hooks', () => {
    const server = new FakeTcpServer();
    (server as { socketClass: Function }).socketClass = class PlainSocket {};
    assert.deepEqual(warnings(server), [
      ['TCP', ['JsonSocket#emitMessage(text)', 'JsonSocket#formatMessageData(message)']],
    ]);
  });

  it('NATS whose getPublisher does not take the context (older Nest 11)', () => {
    const server = new FakeNatsServer();
    server.getPublisher = function (natsMsg: { respond: (p: unknown) => boolean }, id: string) {
      return (response: object) => natsMsg.respond(JSON.stringify({ ...response, id }));
    } as FakeNatsServer['getPublisher'];
    const deserializer = server.deserializer;
    assert.deepEqual(warnings(server), [
      ['NATS', ['ServerNats#getPublisher(natsMsg, id, context)']],
    ]);
    assert.equal(server.deserializer, deserializer);
    const sent: unknown[] = [];
    const { context, publish } = server.handleMessage(
      'sum',
      natsMessage('{"pattern":"sum","data":1,"id":"1"}', sent),
    );
    publish!({ response: 1, isDisposed: true });
    assert.equal(rpcLinkOf(context), undefined);
    // The reply went out untouched: the JSON string, not bytes the hook encoded.
    assert.equal(typeof sent[0], 'string');
  });

  it('a server without a deserializer misses the common points', () => {
    const server = new FakeNatsServer();
    (server as { deserializer?: unknown }).deserializer = undefined;
    assert.deepEqual(warnings(server), [['NATS', ['deserializer.deserialize']]]);
  });
});

describe('RpcWireBytesService', () => {
  it('one start-up warning per transport, however many servers lack the internals', () => {
    const logger = new CapturingLogger();
    Logger.overrideLogger(logger);
    const nats = new FakeNatsServer();
    const servers = [withoutHandleRequest(), withoutHandleRequest(), nats];
    let unsubscribed = false;
    const modules = {
      getRpcTargetRegistry: () => ({
        subscribe(next: (server: unknown) => void) {
          servers.forEach(next);
          return { unsubscribe: () => void (unsubscribed = true) };
        },
      }),
    } as unknown as ModulesContainer;
    const service = new RpcWireBytesService(modules);
    const warned = logger.lines.filter((l) => l.level === 'warn');
    assert.deepEqual(
      warned.map((l) => l.message),
      [LOG_MESSAGES.rpcBytesOff('TCP', ['Server#handleRequest(context, produce, respond)'])],
    );
    assert.match(warned[0]!.message, /^TCP microservice: no transport byte metrics/);
    // The NATS server, complete, was hooked.
    const { context } = nats.handleMessage(
      'sum',
      natsMessage('{"pattern":"sum","data":1,"id":"1"}', []),
    );
    assert.equal(rpcLinkOf(context)?.expectsReply, true);
    service.onModuleDestroy();
    assert.equal(unsubscribed, true);
  });

  it('does nothing without Nest’s RPC target registry', () => {
    const service = new RpcWireBytesService({} as ModulesContainer);
    assert.doesNotThrow(() => service.onModuleDestroy());
  });
});
