import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestException } from '@nestjs/common';
import { Subject } from 'rxjs';
import { DistributedRuntime, WorkerMetrics } from '../../src/core';
import { fixedMetrics } from '../../src/endpoint/call-labels';
import { recorderFor } from '../../src/endpoint/dynamo-endpoint.instrumentation';
import type { DynamoEndpointOptions } from '../../src/endpoint/dynamo-endpoint-options.interface';
import { EndpointRecorder } from '../../src/endpoint/endpoint.recorder';
import { HttpEndpointRecorder } from '../../src/endpoint/http-endpoint.recorder';
import { RpcEndpointRecorder } from '../../src/endpoint/rpc-endpoint.recorder';
import {
  HandlerCarrier,
  Method,
  NO_CARRIER,
} from '../../src/instrumentation/method-instrumentation.interface';
import { attachLink, RpcLink } from '../../src/instrumentation/rpc/rpc-link';
import type { TraceContextService } from '../../src/instrumentation/trace-context.service';

/** The endpoint recorders, chosen once per handler, without an app around them. */

const NO_TRACES = { enabled: false } as TraceContextService;
const RPC_CARRIER: HandlerCarrier = { index: 1, type: 'rpc-context', manual: false, strip: 1 };
const HTTP_CARRIER: HandlerCarrier = { index: 1, type: 'response', manual: false };

function setup(options: DynamoEndpointOptions = {}, carrier = NO_CARRIER, kind = 'plain') {
  const endpoint = new DistributedRuntime().namespace('ns').component('c').endpoint('e');
  const metrics = new WorkerMetrics(endpoint);
  const recorder = recorderFor(
    kind as 'plain' | 'http' | 'rpc',
    carrier,
    fixedMetrics(metrics),
    options,
    NO_TRACES,
  );
  const snapshot = () => ({
    requests: metrics.requests.get(),
    concurrent: metrics.concurrent.get(),
    durations: metrics.duration.get().count,
    requestBytes: metrics.requestBytes.get(),
    responseBytes: metrics.responseBytes.get(),
    clientErrors: metrics.errors.client_error.get(),
    handlerErrors: metrics.errors.handler_error.get(),
    cancelled: metrics.errors.cancelled.get(),
  });
  return { recorder, snapshot };
}

const ZERO = {
  requests: 0,
  concurrent: 0,
  durations: 0,
  requestBytes: 0,
  responseBytes: 0,
  clientErrors: 0,
  handlerErrors: 0,
  cancelled: 0,
};

/** The metrics after one finished call, with these values besides. */
const once = (values: Partial<typeof ZERO>) => ({ ...ZERO, requests: 1, durations: 1, ...values });

/** An RPC context on which the transport put a link, as the byte hooks do. */
function linked(expectsReply: boolean, requestBytes: number): { context: object; link: RpcLink } {
  const context = {};
  const link = new RpcLink(expectsReply, requestBytes);
  attachLink(context, link);
  return { context, link };
}

/** A handler that notes the arguments it was called with. */
function handler(result: (args: unknown[]) => unknown): { fn: Method; seen: unknown[][] } {
  const seen: unknown[][] = [];
  return { seen, fn: (...args) => (seen.push(args), result(args)) };
}

describe('recorderFor: the recorder class is chosen when the handler is bound', () => {
  it('HTTP and RPC handlers with a carrier get theirs; everything else the plain one', () => {
    const kinds = [
      ['http', HTTP_CARRIER, HttpEndpointRecorder],
      ['rpc', RPC_CARRIER, RpcEndpointRecorder],
      ['plain', NO_CARRIER, EndpointRecorder],
      // gRPC handlers: no context to meet the transport on.
      ['rpc', NO_CARRIER, EndpointRecorder],
    ] as const;
    for (const [kind, carrier, cls] of kinds) {
      assert.equal(setup({}, carrier, kind).recorder.constructor, cls, `${kind} ${carrier.index}`);
    }
  });
});

describe('plain calls', () => {
  it('a value: counted at entry, ended at once, sized by the size functions', () => {
    const { recorder, snapshot } = setup({
      requestSize: (args) => String(args[0]).length,
      responseSize: (value) => String(value).length,
    });
    const { fn } = handler(([s]) => `${String(s)}!`);
    assert.equal(recorder.invoke(undefined, fn, ['abc']), 'abc!');
    assert.deepEqual(snapshot(), once({ requestBytes: 3, responseBytes: 4 }));
  });

  it('a rejected promise ends the call with its error type and rejects unchanged', async () => {
    const { recorder, snapshot } = setup();
    const refused = new BadRequestException('no');
    const { fn } = handler(() => Promise.reject(refused));
    const pending = recorder.invoke(undefined, fn, []) as Promise<unknown>;
    assert.equal(snapshot().concurrent, 1, 'in progress until it settles');
    await assert.rejects(pending, refused);
    assert.deepEqual(snapshot(), once({ clientErrors: 1 }));
  });

  it('a size function that throws counts 0 bytes and never breaks the call', () => {
    const { recorder, snapshot } = setup({
      requestSize: () => {
        throw new Error('bad size');
      },
    });
    assert.equal(recorder.invoke(undefined, handler(() => 1).fn, []), 1);
    assert.deepEqual(snapshot(), once({}));
  });
});

describe('RPC calls', () => {
  it('a linked request ends with its last reply; the bytes are the transport’s', () => {
    const { recorder, snapshot } = setup({ requestSize: () => 999 }, RPC_CARRIER, 'rpc');
    const { context, link } = linked(true, 10);
    const { fn, seen } = handler(([n]) => (n as number) + 1);
    assert.equal(recorder.invoke(undefined, fn, [1, context]), 2);
    assert.deepEqual(seen, [[1]], 'the hidden context is stripped');
    assert.equal(snapshot().concurrent, 1, 'not over before the reply is sent');
    link.responseBytes += 5;
    link.end();
    assert.deepEqual(snapshot(), once({ requestBytes: 10, responseBytes: 5 }));
  });

  it('a linked request whose handler threw: the transport ends it, the handler names the error', () => {
    const { recorder, snapshot } = setup({}, RPC_CARRIER, 'rpc');
    const { context, link } = linked(true, 4);
    const boom = new Error('boom');
    const { fn } = handler(() => {
      throw boom;
    });
    assert.throws(() => recorder.invoke(undefined, fn, [null, context]), boom);
    link.end();
    assert.deepEqual(snapshot(), once({ requestBytes: 4, handlerErrors: 1 }));
  });

  it('an Observable reply: a client gone before the end is cancelled', () => {
    const { recorder, snapshot } = setup({}, RPC_CARRIER, 'rpc');
    const { context, link } = linked(true, 3);
    const source = new Subject<number>();
    recorder.invoke(undefined, handler(() => source).fn, [null, context]);
    link.end('cancelled');
    assert.deepEqual(snapshot(), once({ requestBytes: 3, cancelled: 1 }));
  });

  it('an event takes its size from the transport, not from the size functions', () => {
    const { recorder, snapshot } = setup(
      { requestSize: () => 999, responseSize: () => 999 },
      RPC_CARRIER,
      'rpc',
    );
    const { context } = linked(false, 7);
    recorder.invoke(undefined, handler(() => 'ignored').fn, ['payload', context]);
    assert.deepEqual(snapshot(), once({ requestBytes: 7 }));
  });

  it('without hooks on its transport (no link), a call is a plain one, sized by the size functions', () => {
    const { recorder, snapshot } = setup({ requestSize: () => 2 }, RPC_CARRIER, 'rpc');
    const { fn, seen } = handler(() => 'ok');
    recorder.invoke(undefined, fn, ['payload', {}]);
    assert.deepEqual(seen, [['payload']]);
    assert.deepEqual(snapshot(), once({ requestBytes: 2 }));
  });

  it('a second call on a context already claimed (an interceptor retried) is recorded on its own', () => {
    const { recorder, snapshot } = setup({}, RPC_CARRIER, 'rpc');
    const { context, link } = linked(true, 6);
    const { fn } = handler(() => 'ok');
    recorder.invoke(undefined, fn, [1, context]);
    recorder.invoke(undefined, fn, [1, context]);
    assert.equal(snapshot().concurrent, 1, 'the second ended when its result settled');
    link.end();
    assert.deepEqual(snapshot(), { ...ZERO, requests: 2, durations: 2, requestBytes: 6 });
  });
});

describe('HTTP handlers called without a response', () => {
  it('are recorded as plain calls (e.g. called directly from another provider)', () => {
    const { recorder, snapshot } = setup({}, HTTP_CARRIER, 'http');
    assert.equal(recorder.invoke(undefined, handler(() => 'x').fn, ['body', undefined]), 'x');
    assert.deepEqual(snapshot(), once({}));
  });
});
