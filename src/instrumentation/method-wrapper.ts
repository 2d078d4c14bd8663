import { PATH_METADATA, PATTERN_HANDLER_METADATA } from './nest-internals';
import { addContextParameter, addResponseParameter } from './handler-parameters';
import { nodeResponseOf } from './node-http-access';
import {
  HandlerKind,
  InstrumentedMethod,
  Method,
  MethodRecorder,
  NO_CARRIER,
} from './method-instrumentation.interface';

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
  return (nodeResponseOf(carrier)?.socket as { server?: object } | null | undefined)?.server;
}

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
