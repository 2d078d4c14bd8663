import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Get, SetMetadata, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  bindRecorder,
  instrumentationOf,
  instrumentMethod,
} from '../../src/instrumentation/method-wrapper';
import type {
  Method,
  MethodRecorder,
} from '../../src/instrumentation/method-instrumentation.interface';
import { PATH_METADATA } from '../../src/instrumentation/nest-internals';

/** A recorder that notes each call it gets and calls the original. */
class Noting implements MethodRecorder {
  readonly calls: Array<{ self: unknown; args: unknown[] }> = [];
  constructor(readonly name: string) {}
  invoke(self: unknown, original: Method, args: unknown[]): unknown {
    this.calls.push({ self, args: [...args] });
    return original.apply(self, args);
  }
}

const Allow = { canActivate: () => true };

function classes() {
  class Routes {
    @Get('hello')
    @UseGuards(Allow)
    @SetMetadata('custom', 'kept')
    hello(name = 'you'): string {
      return `hello ${name}`;
    }

    @MessagePattern('sum')
    sum(@Payload() data: number[]): number {
      return data.reduce((a, b) => a + b, 0);
    }

    @MessagePattern('count')
    count(@Payload() _data: unknown): number {
      // eslint-disable-next-line prefer-rest-params
      return arguments.length;
    }

    plain(x: number): number {
      return x * 2;
    }
  }
  return Routes;
}

const MARK = Symbol('test:mark');

describe('instrumentMethod', () => {
  it('tells HTTP, RPC and plain handlers apart and replaces the method in place', () => {
    const Routes = classes();
    const original = Routes.prototype.hello;
    assert.equal(instrumentMethod(Routes.prototype, 'hello', MARK).kind, 'http');
    assert.equal(instrumentMethod(Routes.prototype, 'sum', MARK).kind, 'rpc');
    assert.equal(instrumentMethod(Routes.prototype, 'plain', MARK).kind, 'plain');
    assert.notEqual(Routes.prototype.hello, original);
    assert.equal(Routes.prototype.hello.name, 'hello');
    // Still a non-enumerable method, as the class declared it.
    assert.equal(Object.getOwnPropertyDescriptor(Routes.prototype, 'hello')?.enumerable, false);
  });

  it('the wrapper carries every metadata of the original (route, guards, custom keys)', () => {
    const Routes = classes();
    const original = Routes.prototype.hello;
    instrumentMethod(Routes.prototype, 'hello', MARK);
    const wrapper = Routes.prototype.hello;
    assert.equal(Reflect.getMetadata(PATH_METADATA, wrapper), 'hello');
    assert.deepEqual(Reflect.getMetadata(GUARDS_METADATA, wrapper), [Allow]);
    assert.equal(Reflect.getMetadata('custom', wrapper), 'kept');
    assert.deepEqual(
      Reflect.getOwnMetadataKeys(wrapper).sort(),
      Reflect.getOwnMetadataKeys(original).sort(),
    );
  });

  it('a second instrumentation keeps the first one findable', () => {
    const Routes = classes();
    const OTHER = Symbol('test:other');
    const first = instrumentMethod(Routes.prototype, 'plain', MARK);
    const second = instrumentMethod(Routes.prototype, 'plain', OTHER);
    assert.equal(instrumentationOf(Routes.prototype.plain, MARK), first);
    assert.equal(instrumentationOf(Routes.prototype.plain, OTHER), second);
    assert.equal(
      instrumentationOf(() => 1, MARK),
      undefined,
    );
    assert.equal(instrumentationOf(undefined, MARK), undefined);
  });

  it('dispatches to the recorder bound to the instance called on', () => {
    const Routes = classes();
    const state = instrumentMethod<Noting>(Routes.prototype, 'plain', MARK);
    const a = new Routes();
    const b = new Routes();
    const ra = new Noting('a');
    const rb = new Noting('b');
    bindRecorder(state, a, ra, undefined);
    bindRecorder(state, b, rb, undefined);
    assert.equal(a.plain(2), 4);
    assert.equal(b.plain(5), 10);
    assert.deepEqual(ra.calls, [{ self: a, args: [2] }]);
    assert.deepEqual(rb.calls, [{ self: b, args: [5] }]);
    // An instance no application bound (request-scoped): the recorder bound last.
    new Routes().plain(1);
    assert.equal(rb.calls.length, 2);
  });

  it('before any binding the original runs, with a hidden RPC context stripped', () => {
    const Routes = classes();
    const state = instrumentMethod(Routes.prototype, 'count', MARK);
    assert.deepEqual(state.carrier, { index: 1, type: 'rpc-context', manual: false, strip: 1 });
    const count = Routes.prototype.count as unknown as (...args: unknown[]) => number;
    // Nest calls it with the payload and the hidden context; the method sees the payload only.
    assert.equal(count.call(new Routes(), 'payload', { getPattern: () => 'count' }), 1);
  });

  it('request-scoped HTTP instances get the recorder of the server the request came in on', () => {
    const Routes = classes();
    const state = instrumentMethod<Noting>(Routes.prototype, 'hello', MARK);
    const serverA = {};
    const serverB = {};
    const ra = new Noting('a');
    const rb = new Noting('b');
    bindRecorder(state, new Routes(), ra, serverA);
    bindRecorder(state, new Routes(), rb, serverB);
    const responseOn = (server: object) => {
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      (res as { socket: unknown }).socket = { server };
      return res;
    };
    const hello = Routes.prototype.hello as unknown as (...args: unknown[]) => string;
    // Express hands the response; Fastify a reply whose `raw` is it.
    assert.equal(hello.call(new Routes(), 'x', responseOn(serverA)), 'hello x');
    hello.call(new Routes(), 'y', { raw: responseOn(serverB) });
    assert.deepEqual(
      ra.calls.map((c) => c.args[0]),
      ['x'],
    );
    assert.deepEqual(
      rb.calls.map((c) => c.args[0]),
      ['y'],
    );
  });
});
