/**
 * Every NestJS internal this package relies on, in one place, with why. Each is stable across
 * Nest 11 and 12 (the versions tested); a Nest upgrade that moves one breaks here first.
 *
 * Not listed as a constant but relied upon as behaviour:
 * - Routes and message handlers read the handler method from the class prototype when they are
 *   registered (`RouterExplorer`, `ListenersController`), which `NestApplication.init()` does
 *   BEFORE `onModuleInit`. The explorer therefore patches prototypes in its constructor, which
 *   runs while providers are instantiated.
 * - HTTP handlers get only their declared parameters; a parameter decorated with
 *   `@Res({ passthrough: true })` adds the response without changing how Nest answers.
 */
import {
  PATH_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';

export { PATH_METADATA, RESPONSE_PASSTHROUGH_METADATA, ROUTE_ARGS_METADATA };

/** Set by @nestjs/microservices' @MessagePattern / @EventPattern on the handler. */
export const PATTERN_HANDLER_METADATA = 'microservices:handler_type';
/** Set by the same decorators: the transport the handler is limited to, if any. */
export const TRANSPORT_METADATA = 'microservices:transport';
/** @nestjs/microservices' `Transport` enum values (stable since Nest 6). */
export const TRANSPORT = { TCP: 0, NATS: 2, GRPC: 4 } as const;
export const GRPC_TRANSPORT_ID = TRANSPORT.GRPC;
/** @nestjs/microservices' RpcParamtype.CONTEXT. */
export const RPC_CONTEXT_PARAM = 6;
/** @nestjs/common's RouteParamtypes (Nest 12's index does not export the enum). */
export const RESPONSE_PARAM = 1;
export const NEXT_PARAM = 2;

/** What the RPC parameter side needs from @nestjs/microservices. */
export interface RpcParams {
  Ctx: () => ParameterDecorator;
  Payload: () => ParameterDecorator;
  /** The arguments Nest gives a handler without parameter decorators (non-gRPC). */
  defaults?: Record<string, { index: number }>;
}
let rpcParams: RpcParams | null | undefined;

/**
 * @nestjs/microservices is not a dependency of this package: it is loaded only once an RPC
 * handler is decorated (so the app has it). Its `DEFAULT_CALLBACK_METADATA` comes from a deep
 * import (`context/rpc-metadata-constants`). Without the package, RPC handlers record no bytes.
 */
export function loadRpcParams(): RpcParams | null {
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

interface Subscribable {
  subscribe(next: (server: unknown) => void): { unsubscribe(): void };
}

/**
 * `ModulesContainer#getRpcTargetRegistry()`: NestMicroservice's constructor registers its server
 * there (createMicroservice and connectMicroservice alike), after providers exist and before it
 * listens. A ReplaySubject, so servers registered earlier are seen too. Absent: undefined.
 */
export function rpcTargetRegistry(modules: object): Subscribable | undefined {
  return (modules as { getRpcTargetRegistry?: () => Subscribable }).getRpcTargetRegistry?.();
}

/**
 * Microservice server internals the byte hooks wrap: `deserializer.deserialize`, `handleEvent`,
 * TCP's `getSocketInstance`, Nest 12's `handleRequest` and the socket class's (JsonSocket's)
 * `emitMessage` / `formatMessageData`, NATS' `getPublisher`. Each transport's list, with the
 * arguments relied upon, is checked before its server is hooked (`*_POINTS` in
 * rpc/*-transport.hooks.ts): a server lacking one gets no hooks, its handlers no transport bytes,
 * and the application one warning naming what was missing.
 */
export type Fn = (...args: any[]) => any;
export interface RpcServer {
  transportId?: unknown;
  deserializer?: { deserialize: Fn };
  handleEvent?: Fn;
  handleRequest?: Fn;
  getSocketInstance?: Fn;
  getPublisher?: Fn;
  /** ServerTCP: the class each connection's socket is wrapped in (JsonSocket by default). */
  socketClass?: Function;
}

/**
 * `ModulesContainer` holds Nest's `Module`s; `Module#controllers` is the Map `RoutesResolver`
 * reads when `app.init()` registers routes, which is after every provider exists. Deleting a
 * controller there first leaves it unmounted: no route and no `Mapped {...}` log line. Returns
 * whether it was found.
 */
export function unmountController(modules: Map<unknown, unknown>, controller: object): boolean {
  let found = false;
  for (const module of modules.values()) {
    const controllers = (module as { controllers?: unknown }).controllers;
    if (controllers instanceof Map && controllers.delete(controller)) found = true;
  }
  return found;
}

/** Every controller class mounted in the application (same `Module#controllers` Maps). */
export function mountedControllers(modules: Map<unknown, unknown>): Function[] {
  const out: Function[] = [];
  for (const module of modules.values()) {
    const controllers = (module as { controllers?: unknown }).controllers;
    if (!(controllers instanceof Map)) continue;
    for (const key of controllers.keys()) if (typeof key === 'function') out.push(key);
  }
  return out;
}

/**
 * Platform internals under Nest's HTTP adapters, for the HTTP server metrics (README, "HTTP
 * server metrics for every route").
 */

/**
 * Nest's Fastify adapter registers an `onResponse` hook of its own on every application, so
 * Fastify times every reply (`reply.elapsedTime`, from routing to the response's 'finish') and
 * no hook needs to read the clock again. Fastify 5 keeps a request's route in an own property
 * keyed by `Symbol('fastify.context')`, whose `config.url` is the path as registered (undefined
 * for the not-found handler). Its public `request.routeOptions.url` builds an object of 13
 * fields per read; the same field is read here directly, the symbol found once by its
 * description, with `routeOptions.url` as the fallback should Fastify rename it.
 */
let fastifyContext: symbol | null | undefined;

export function fastifyRouteUrl(request: object): string | undefined {
  if (fastifyContext === undefined) {
    fastifyContext =
      Object.getOwnPropertySymbols(request).find((s) => s.description === 'fastify.context') ??
      null;
  }
  if (fastifyContext !== null) {
    const context = (request as Record<symbol, { config?: { url?: unknown } } | undefined>)[
      fastifyContext
    ];
    if (context !== undefined) return context.config?.url as string | undefined;
  }
  return (request as { routeOptions?: { url?: string } }).routeOptions?.url;
}

/** Whether `fastifyRouteUrl` reads Fastify's route context directly (for a test to notice). */
export const readsFastifyContext = (): boolean => fastifyContext !== null;

interface ExpressLayer {
  handle?: unknown;
  route?: { path?: unknown };
}

/**
 * An Express application's router: Express 4's `app._router`, Express 5's `app.router` (Express
 * 4's getter of that name throws), each with a `stack` of layers.
 */
function expressStack(app: object): ExpressLayer[] | undefined {
  try {
    const express = app as { _router?: { stack?: unknown }; router?: { stack?: unknown } };
    const stack = (express._router ?? express.router)?.stack;
    return Array.isArray(stack) ? (stack as ExpressLayer[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The routes of an Express application, by their `Route` objects (layers of the app's router).
 * Express sets `req.route` to the one that handled a request. Read once the routes are
 * registered (Nest's RouterExplorer adds them at app level, with the global prefix and URI
 * version in the path, before `onModuleInit`), so that the not-found handler Nest mounts after
 * them (a route `*path` under the prefix) is not a route here.
 */
export function expressRoutes(app: object): Map<object, string> {
  const routes = new Map<object, string>();
  for (const layer of expressStack(app) ?? []) {
    const route = layer.route;
    if (route && typeof route.path === 'string') routes.set(route, route.path);
  }
  return routes;
}

/**
 * Adds `middleware` to an Express application as the first layer of its router, ahead of the
 * routes Nest has registered already (`app.use()` appends). Whatever server feeds the app (the
 * one Nest creates, or servers of the user's own, as Nest's docs show for HTTP and HTTPS at
 * once) passes every request through it. False when the router is not where Express keeps it.
 */
export function prependExpressMiddleware(
  app: { use(fn: Function): unknown },
  middleware: Function,
): boolean {
  if (expressStack(app) === undefined) return false;
  app.use(middleware);
  const stack = expressStack(app)!;
  const index = stack.findIndex((layer) => layer.handle === middleware);
  if (index < 0) return false;
  stack.unshift(...stack.splice(index, 1));
  return true;
}
