import { Req, Res } from '@nestjs/common';
import {
  GRPC_TRANSPORT_ID,
  loadRpcParams,
  NEXT_PARAM,
  RESPONSE_PARAM,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  RPC_CONTEXT_PARAM,
  TRANSPORT_METADATA,
} from './nest-internals';
import { HandlerCarrier, Method, NO_CARRIER } from './method-instrumentation.interface';

/**
 * HTTP handlers receive only their declared arguments; to see the response (for its bytes and
 * its end) the recorder needs one more: the handler's own @Res() when it has one, otherwise a
 * hidden `@Res({ passthrough: true })` after the declared parameters (Nest still sends the
 * result), or `@Req()` when the handler uses @Next() (a passthrough response would change how
 * Nest answers).
 */
export function addResponseParameter(
  prototype: object,
  methodName: string,
  method: Method,
): HandlerCarrier {
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

/**
 * RPC handlers receive only what their parameter metadata asks for (by default, in Nest 11.1+
 * and 12, just the payload); to meet its transport the recorder needs the RPC context too: the
 * handler's own @Ctx() when it has one, otherwise a hidden @Ctx() after the arguments Nest gives
 * it, which the wrapper strips again. A handler without parameter decorators first gets Nest's
 * defaults written out (the same arguments), so one more can follow. gRPC handlers have other
 * defaults and no byte hooks: left alone.
 */
export function addContextParameter(
  prototype: object,
  methodName: string,
  method: Method,
): HandlerCarrier {
  if (Reflect.getMetadata(TRANSPORT_METADATA, method) === GRPC_TRANSPORT_ID) return NO_CARRIER;
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
