import type { RpcServer } from '../nest-internals';

/**
 * One transport's byte hooks. `missing()` is asked first: the hooks are installed only on a
 * server that has every internal they wrap, shaped as expected, so a server is hooked
 * entirely or not at all (a half-hooked one could count wrong bytes).
 */
export interface RpcTransportHooks {
  /** Nest's `Transport` value of the servers these hooks are for. */
  readonly transportId: number;
  /** The transport's name, for the start-up warning. */
  readonly transport: string;
  /** The internals this server lacks or has in another shape; empty when it can be hooked. */
  missing(server: RpcServer): string[];
  /** Wraps the internals; only called when nothing is missing. */
  install(server: RpcServer): void;
}

/** An internal method the hooks wrap, and the arguments they rely on it taking. */
export interface HookPoint {
  readonly name: string;
  readonly of: (server: RpcServer) => unknown;
  readonly arity: number;
}

/** The common points: every server decodes through its deserializer and hands events over. */
export const COMMON_POINTS: readonly HookPoint[] = [
  { name: 'deserializer.deserialize', of: (s) => s.deserializer?.deserialize, arity: 1 },
  { name: 'Server#handleEvent(pattern, packet, context)', of: (s) => s.handleEvent, arity: 3 },
];

/** The hooks of one transport: installed by `install` where none of `points` is missing. */
export function transportHooks(
  transportId: number,
  transport: string,
  points: readonly HookPoint[],
  install: (server: RpcServer) => void,
): RpcTransportHooks {
  return { transportId, transport, missing: (server) => missingPoints(server, points), install };
}

/**
 * The points that are absent, or that take fewer arguments than the hooks read (a function of
 * length 0, such as another library's `(...args)` wrapper, says nothing and passes).
 */
function missingPoints(server: RpcServer, points: readonly HookPoint[]): string[] {
  return points
    .filter(({ of, arity }) => {
      const fn = of(server);
      return typeof fn !== 'function' || (fn.length > 0 && fn.length < arity);
    })
    .map(({ name }) => name);
}
