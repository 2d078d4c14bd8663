import { Req, Res } from '@nestjs/common';
import {
  PATH_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';

export type Method = (...args: unknown[]) => unknown;
export type HandlerKind = 'http' | 'rpc' | 'plain';

/**
 * How a handler hands the recorder its transport object: an HTTP handler its response (or
 * request), an RPC handler its context.
 */
export interface HttpCarrier {
  /** Argument index of the response, request or RPC context; -1 when there is none. */
  index: number;
  type: 'response' | 'request' | 'rpc-context';
  /** The handler writes the response itself (@Res() without passthrough). */
  manual: boolean;
  /**
   * RPC: the context argument is a hidden one the library added; the method is called with its
   * first `strip` arguments only, as Nest would call it without the library.
   */
  strip?: number;
}

/** What a wrapper calls for one instance of the class. */
export interface MethodRecorder {
  invoke(self: unknown, original: Method, args: unknown[]): unknown;
}

/** Per class and method, shared by every application in the process. */
export interface InstrumentedMethod<R extends MethodRecorder> {
  readonly kind: HandlerKind;
  readonly carrier: HttpCarrier;
  /** Per-instance recorders: each application binds its own instances. */
  readonly recorders: WeakMap<object, R>;
  /**
   * For HTTP instances Nest creates per request (request-scoped classes), which no app binds
   * ahead: the recorder of the app whose HTTP server the request came in on.
   */
  readonly byServer: WeakMap<object, R>;
  /** Otherwise, for such instances: the recorder bound last (one app per process is the rule). */
  fallback?: R;
}

/** Binds `instance` (and, for HTTP, requests arriving on `httpServer`) to `recorder`. */
export function bindRecorder<R extends MethodRecorder>(
  state: InstrumentedMethod<R>,
  instance: object,
  recorder: R,
  httpServer: object | undefined,
): void {
  state.recorders.set(instance, recorder);
  if (httpServer && state.kind === 'http') state.byServer.set(httpServer, recorder);
  state.fallback = recorder;
}

/** The HTTP server a handler's response belongs to (Express response or Fastify reply). */
function serverOf(carrier: unknown): object | undefined {
  const res = (carrier as { raw?: unknown } | undefined)?.raw ?? carrier;
  return (res as { socket?: { server?: object } } | undefined)?.socket?.server;
}

/** Set by @nestjs/microservices' @MessagePattern / @EventPattern on the handler. */
const PATTERN_HANDLER_METADATA = 'microservices:handler_type';
/** Set by the same decorators: the transport the handler is limited to, if any. */
const TRANSPORT_METADATA = 'microservices:transport';
/** @nestjs/microservices' Transport.GRPC and RpcParamtype.CONTEXT (stable values). */
const GRPC_TRANSPORT = 4;
const RPC_CONTEXT_PARAM = 6;
/** @nestjs/common's RouteParamtypes (stable values; Nest 12's index does not export the enum). */
const RESPONSE_PARAM = 1;
const NEXT_PARAM = 2;
const NO_CARRIER: HttpCarrier = { index: -1, type: 'response', manual: false };

/** The instrumentation `marker` installed on this method, if any. */
export function instrumentationOf<R extends MethodRecorder>(
  method: unknown,
  marker: symbol,
): InstrumentedMethod<R> | undefined {
  return typeof method === 'function'
    ? (method as unknown as Record<symbol, InstrumentedMethod<R>>)[marker]
    : undefined;
}

/**
 * Replaces `prototype[methodName]` with a wrapper that dispatches to the recorder bound to the
 * instance it is called on. The wrapper carries every metadata of the original (route, guards,
 * pipes, @Sse, message patterns), so other decorators keep working in either order. It is
 * installed while Nest instantiates providers, before routes and message handlers are
 * registered: both read the method at registration.
 */
export function instrumentMethod<R extends MethodRecorder>(
  prototype: object,
  methodName: string,
  marker: symbol,
): InstrumentedMethod<R> {
  const original = (prototype as Record<string, Method>)[methodName]!;
  const kind: HandlerKind =
    Reflect.getMetadata(PATH_METADATA, original) !== undefined
      ? 'http'
      : Reflect.getMetadata(PATTERN_HANDLER_METADATA, original) !== undefined
        ? 'rpc'
        : 'plain';
  const carrier =
    kind === 'http'
      ? addResponseParameter(prototype, methodName, original)
      : kind === 'rpc'
        ? addContextParameter(prototype, methodName, original)
        : NO_CARRIER;
  const state: InstrumentedMethod<R> = {
    kind,
    carrier,
    recorders: new WeakMap(),
    byServer: new WeakMap(),
  };
  const strip = carrier.strip;
  const wrapper = function (this: object, ...args: unknown[]): unknown {
    const recorder =
      state.recorders.get(this) ??
      (carrier.index >= 0
        ? state.byServer.get(serverOf(args[carrier.index]) ?? state)
        : undefined) ??
      state.fallback;
    if (recorder !== undefined) return recorder.invoke(this, original, args);
    if (strip !== undefined && args.length > strip) args.length = strip;
    return original.apply(this, args);
  };
  for (const key of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), wrapper);
  }
  // Markers of instrumentation already installed underneath stay visible.
  for (const symbol of Object.getOwnPropertySymbols(original)) {
    Object.defineProperty(wrapper, symbol, {
      value: (original as unknown as Record<symbol, unknown>)[symbol],
    });
  }
  Object.defineProperty(wrapper, 'name', { value: original.name });
  Object.defineProperty(wrapper, marker, { value: state });
  const descriptor = Object.getOwnPropertyDescriptor(prototype, methodName) ?? {
    configurable: true,
    enumerable: false,
    writable: true,
  };
  Object.defineProperty(prototype, methodName, { ...descriptor, value: wrapper });
  return state;
}

/**
 * HTTP handlers receive only their declared arguments; to see the response (for its bytes and
 * its end) the recorder needs one more: the handler's own @Res() when it has one, otherwise a
 * hidden `@Res({ passthrough: true })` after the declared parameters (Nest still sends the
 * result), or `@Req()` when the handler uses @Next() (a passthrough response would change how
 * Nest answers).
 */
function addResponseParameter(prototype: object, methodName: string, method: Method): HttpCarrier {
  const cls = prototype.constructor;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, methodName) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  const params = Object.entries(args).map(([key, value]) => ({
    type: Number(key.split(':')[0]),
    index: value.index,
    data: value.data,
  }));
  const response = params.find((p) => p.type === RESPONSE_PARAM);
  if (response) {
    const passthrough =
      Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, cls, methodName) === true ||
      (response.data as { passthrough?: boolean } | undefined)?.passthrough === true;
    return { index: response.index, type: 'response', manual: !passthrough };
  }
  const declared =
    (Reflect.getMetadata('design:paramtypes', prototype, methodName) as unknown[] | undefined)
      ?.length ?? 0;
  const index = Math.max(declared, method.length, ...params.map((p) => p.index + 1));
  if (params.some((p) => p.type === NEXT_PARAM)) {
    Req()(prototype, methodName, index);
    return { index, type: 'request', manual: false };
  }
  Res({ passthrough: true })(prototype, methodName, index);
  return { index, type: 'response', manual: false };
}

/** What the RPC parameter side needs from @nestjs/microservices, loaded on first use. */
interface RpcParams {
  Ctx: () => ParameterDecorator;
  Payload: () => ParameterDecorator;
  /** The arguments Nest gives a handler without parameter decorators (non-gRPC). */
  defaults?: Record<string, { index: number }>;
}
let rpcParams: RpcParams | null | undefined;

/**
 * @nestjs/microservices is not a dependency of this package: it is loaded only once an RPC
 * handler is decorated (so the app has it). Without it, RPC handlers record no bytes.
 */
function loadRpcParams(): RpcParams | null {
  if (rpcParams !== undefined) return rpcParams;
  rpcParams = null;
  try {
    const api = require('@nestjs/microservices') as Partial<RpcParams>;
    if (typeof api.Ctx !== 'function' || typeof api.Payload !== 'function') return null;
    let defaults: RpcParams['defaults'];
    try {
      defaults = (
        require('@nestjs/microservices/context/rpc-metadata-constants') as {
          DEFAULT_CALLBACK_METADATA?: RpcParams['defaults'];
        }
      ).DEFAULT_CALLBACK_METADATA;
    } catch {
      defaults = undefined;
    }
    rpcParams = { Ctx: api.Ctx, Payload: api.Payload, defaults };
  } catch {
    rpcParams = null;
  }
  return rpcParams;
}

/**
 * RPC handlers receive only what their parameter metadata asks for (by default, in Nest 11.1+
 * and 12, just the payload); to meet its transport the recorder needs the RPC context too: the
 * handler's own @Ctx() when it has one, otherwise a hidden @Ctx() after the arguments Nest gives
 * it, which the wrapper strips again. A handler without parameter decorators first gets Nest's
 * defaults written out (the same arguments), so one more can follow. gRPC handlers have other
 * defaults and no byte hooks: left alone.
 */
function addContextParameter(prototype: object, methodName: string, method: Method): HttpCarrier {
  if (Reflect.getMetadata(TRANSPORT_METADATA, method) === GRPC_TRANSPORT) return NO_CARRIER;
  const api = loadRpcParams();
  if (!api) return NO_CARRIER;
  const cls = prototype.constructor;
  let args = Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, methodName) as
    Record<string, { index: number }> | undefined;
  if (!args || Object.keys(args).length === 0) {
    if (api.defaults) {
      Reflect.defineMetadata(ROUTE_ARGS_METADATA, { ...api.defaults }, cls, methodName);
    } else {
      api.Payload()(prototype, methodName, 0);
    }
    args = Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, methodName) as Record<
      string,
      { index: number }
    >;
  }
  const entries = Object.entries(args);
  const own = entries.find(([key]) => Number(key.split(':')[0]) === RPC_CONTEXT_PARAM);
  if (own) return { index: own[1].index, type: 'rpc-context', manual: false };
  // Nest calls the handler with max(index) + 1 arguments.
  const length = Math.max(0, ...entries.map(([, value]) => value.index + 1));
  api.Ctx()(prototype, methodName, length);
  return { index: length, type: 'rpc-context', manual: false, strip: length };
}
