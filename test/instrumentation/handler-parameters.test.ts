import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Body, Next, Post, Res } from '@nestjs/common';
import { Ctx, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import {
  addContextParameter,
  addResponseParameter,
} from '../../src/instrumentation/handler-parameters';
import type { Method } from '../../src/instrumentation/method-instrumentation.interface';
import {
  RESPONSE_PARAM,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  RPC_CONTEXT_PARAM,
} from '../../src/instrumentation/nest-internals';

/** Nest's parameter metadata of a method, as `{ type, index, data }` sorted by index. */
function params(
  cls: Function,
  method: string,
): Array<{ type: number; index: number; data?: unknown }> {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, method) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  return Object.entries(args)
    .map(([key, v]) => ({ type: Number(key.split(':')[0]), index: v.index, data: v.data }))
    .sort((a, b) => a.index - b.index);
}

const methodOf = (cls: { prototype: object }, name: string) =>
  (cls.prototype as Record<string, Method>)[name]!;

describe('addResponseParameter (HTTP handlers)', () => {
  it('adds a hidden passthrough @Res() after the declared parameters', () => {
    class Chat {
      @Post('chat')
      chat(@Body() body: { q: string }, extra: number): string {
        return `${body.q}${extra}`;
      }
    }
    const carrier = addResponseParameter(Chat.prototype, 'chat', methodOf(Chat, 'chat'));
    assert.deepEqual(carrier, { index: 2, type: 'response', manual: false });
    const response = params(Chat, 'chat').find((p) => p.type === RESPONSE_PARAM);
    assert.equal(response?.index, 2);
    // Passthrough: Nest still sends the handler's result.
    assert.equal(Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, Chat, 'chat'), true);
  });

  it('counts undecorated, untyped parameters too (the function length)', () => {
    class Untyped {
      handle(...args: unknown[]): number {
        return args.length;
      }
    }
    const handle = function (_a: unknown, _b: unknown, _c: unknown) {
      return 0;
    };
    const carrier = addResponseParameter(Untyped.prototype, 'handle', handle as Method);
    assert.equal(carrier.index, 3);
  });

  it("uses the handler's own @Res(): manual writes, unless passthrough", () => {
    class Own {
      @Post('a')
      manual(@Body() _b: unknown, @Res() res: { end(): void }): void {
        res.end();
      }
      @Post('b')
      passthrough(@Res({ passthrough: true }) _res: unknown, @Body() b: unknown): unknown {
        return b;
      }
    }
    const before = params(Own, 'manual').length;
    assert.deepEqual(addResponseParameter(Own.prototype, 'manual', methodOf(Own, 'manual')), {
      index: 1,
      type: 'response',
      manual: true,
    });
    assert.equal(params(Own, 'manual').length, before, 'nothing added');
    assert.deepEqual(
      addResponseParameter(Own.prototype, 'passthrough', methodOf(Own, 'passthrough')),
      { index: 0, type: 'response', manual: false },
    );
  });

  it('with @Next(), the hidden parameter is @Req(): a passthrough response would change how Nest answers', () => {
    class WithNext {
      @Post('n')
      next(@Body() _b: unknown, @Next() next: () => void): void {
        next();
      }
    }
    const carrier = addResponseParameter(WithNext.prototype, 'next', methodOf(WithNext, 'next'));
    assert.deepEqual(carrier, { index: 2, type: 'request', manual: false });
    assert.equal(
      params(WithNext, 'next').some((p) => p.type === RESPONSE_PARAM),
      false,
      'no @Res() added',
    );
  });
});

describe('addContextParameter (RPC handlers)', () => {
  it('adds a hidden @Ctx() after the arguments Nest gives, to be stripped again', () => {
    class Sum {
      @MessagePattern('sum')
      sum(@Payload() data: number[]): number {
        return data.reduce((a, b) => a + b, 0);
      }
    }
    const carrier = addContextParameter(Sum.prototype, 'sum', methodOf(Sum, 'sum'));
    assert.deepEqual(carrier, { index: 1, type: 'rpc-context', manual: false, strip: 1 });
    assert.deepEqual(
      params(Sum, 'sum').map((p) => [p.type, p.index]),
      [
        [3, 0],
        [RPC_CONTEXT_PARAM, 1],
      ],
    );
  });

  it('without parameter decorators, first writes out the payload Nest gives by default', () => {
    class Bare {
      @MessagePattern('echo')
      echo(data: unknown): unknown {
        return data;
      }
    }
    const carrier = addContextParameter(Bare.prototype, 'echo', methodOf(Bare, 'echo'));
    assert.deepEqual(carrier, { index: 1, type: 'rpc-context', manual: false, strip: 1 });
    assert.deepEqual(
      params(Bare, 'echo').map((p) => p.index),
      [0, 1],
    );
  });

  it("uses the handler's own @Ctx(), with nothing to strip", () => {
    class Own {
      @MessagePattern('own')
      own(@Payload() data: unknown, @Ctx() _ctx: unknown): unknown {
        return data;
      }
    }
    assert.deepEqual(addContextParameter(Own.prototype, 'own', methodOf(Own, 'own')), {
      index: 1,
      type: 'rpc-context',
      manual: false,
    });
  });

  it('leaves gRPC handlers alone (other defaults, no byte hooks)', () => {
    class Grpc {
      @MessagePattern('svc.Method', Transport.GRPC)
      call(data: unknown): unknown {
        return data;
      }
    }
    const carrier = addContextParameter(Grpc.prototype, 'call', methodOf(Grpc, 'call'));
    assert.equal(carrier.index, -1);
    assert.deepEqual(params(Grpc, 'call'), []);
  });
});
