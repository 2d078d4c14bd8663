import type { RpcServer } from '../nest-internals';
import { NATS_HOOKS } from './nats-transport.hooks';
import type { RpcTransportHooks } from './rpc-transport-hooks';
import { TCP_HOOKS } from './tcp-transport.hooks';

/**
 * Exact payload bytes of RPC calls, taken where the transport encodes and decodes its messages.
 *
 * Payload bytes are the UTF-8 size of the whole encoded Nest message as it travels, envelope
 * included (`{"pattern":…,"data":…,"id":…}` in, `{"response":…,"isDisposed":true,"id":…}` out),
 * without transport framing: TCP's `<length>#` prefix, NATS protocol lines and headers.
 *
 * The transport side and the handler wrapper meet on the RPC context object (TcpContext,
 * NatsContext): the server creates one per message, hands it to its own request/event hooks
 * before the handler runs, then to the handler (a hidden `@Ctx()` argument). A server that lacks
 * one of the internals its transport's hooks wrap is left alone: its handlers record no bytes.
 */

const PATCHED = Symbol('dynamo.rpc.patched');

/** Every transport with byte hooks; other transports' handlers use the size functions. */
export const RPC_TRANSPORT_HOOKS: readonly RpcTransportHooks[] = [TCP_HOOKS, NATS_HOOKS];

/** Told when a server of a hooked transport lacks internals: its transport and what was missing. */
export type MissingHooks = (transport: string, missing: string[]) => void;

/**
 * Installs the byte hooks on one microservice server (once per server). A server of another
 * transport is only marked; one whose internals are not as expected is marked, reported to
 * `onMissing` and left unhooked.
 */
export function instrumentRpcServer(target: unknown, onMissing: MissingHooks): void {
  if (target === null || typeof target !== 'object') return;
  const server = target as RpcServer & { [PATCHED]?: true };
  if (server[PATCHED]) return;
  server[PATCHED] = true;
  const transport = RPC_TRANSPORT_HOOKS.find((h) => h.transportId === server.transportId);
  if (transport === undefined) return;
  const missing = transport.missing(server);
  if (missing.length > 0) onMissing(transport.transport, missing);
  else transport.install(server);
}
