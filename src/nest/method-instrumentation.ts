import { Req, Res } from '@nestjs/common';
import {
  PATH_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';

export type Method = (...args: unknown[]) => unknown;
export type HandlerKind = 'http' | 'rpc' | 'plain';

/** How an HTTP handler hands the recorder its response object. */
export interface HttpCarrier {
  /** Argument index of the response (or request) object; -1 when there is none. */
  index: number;
  type: 'response' | 'request';
  /** The handler writes the response itself (@Res() without passthrough). */
  manual: boolean;
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
  /** For instances Nest creates per request or per injection, which no app binds ahead. */
  fallback?: R;
}

/** Set by @nestjs/microservices' @MessagePattern / @EventPattern on the handler. */
const PATTERN_HANDLER_METADATA = 'microservices:handler_type';
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
    kind === 'http' ? addResponseParameter(prototype, methodName, original) : NO_CARRIER;
  const state: InstrumentedMethod<R> = { kind, carrier, recorders: new WeakMap() };
  const wrapper = function (this: object, ...args: unknown[]): unknown {
    const recorder = state.recorders.get(this) ?? state.fallback;
    return recorder === undefined
      ? original.apply(this, args)
      : recorder.invoke(this, original, args);
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
