import { RpcServer, TRANSPORT } from '../nest-internals';
import { patchNatsServer } from './nats-transport.hooks';
import { patchTcpServer } from './tcp-transport.hooks';

/**
 * Exact payload bytes of RPC calls, taken where the transport encodes and decodes its messages.
 *
 * Payload bytes are the UTF-8 size of the whole encoded Nest message as it travels, envelope
 * included (`{"pattern":…,"data":…,"id":…}` in, `{"response":…,"isDisposed":true,"id":…}` out),
 * without transport framing: TCP's `<length>#` prefix, NATS protocol lines and headers.
 *
 * The transport side and the handler wrapper meet on the RPC context object (TcpContext,
 * NatsContext): the server creates one per message, hands it to its own request/event hooks
 * before the handler runs, then to the handler (a hidden `@Ctx()` argument). Every hook below is
 * duck-typed: a server that lacks one is left alone and its handlers record no bytes.
 */

const PATCHED = Symbol('dynamo.rpc.patched');

/**
 * Installs the byte hooks on one microservice server (once; a server of another transport, or
 * one whose hook points are missing, is only marked).
 */
export function instrumentRpcServer(target: unknown): void {
  if (target === null || typeof target !== 'object') return;
  const server = target as RpcServer & { [PATCHED]?: true };
  if (server[PATCHED]) return;
  server[PATCHED] = true;
  const common =
    typeof server.handleEvent === 'function' &&
    typeof server.deserializer?.deserialize === 'function';
  if (!common) return;
  if (
    server.transportId === TRANSPORT.TCP &&
    typeof server.getSocketInstance === 'function' &&
    // Nest 12: the one place that sees each request's context and reply packets together.
    typeof server.handleRequest === 'function'
  ) {
    patchTcpServer(server);
  } else if (server.transportId === TRANSPORT.NATS && typeof server.getPublisher === 'function') {
    patchNatsServer(server);
  }
}
