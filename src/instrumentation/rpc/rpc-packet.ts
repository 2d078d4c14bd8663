import type { Fn, RpcServer } from '../nest-internals';
import { attachLink, RpcLink } from './rpc-link';

/** On a deserialized packet: its payload bytes as received. */
export const BYTES = Symbol('dynamo.rpc.bytes');

/** A deserialized Nest message, as far as the hooks need it. */
export type Packet = { id?: unknown; pattern?: unknown; [BYTES]?: number } | undefined;

/**
 * Servers read `this.deserializer` for every message: the wrapper sees the raw message and can
 * mark the packet it produced (synchronously or, for an async deserializer, when it resolves).
 */
export function wrapDeserializer(
  server: RpcServer,
  deserialize: (inner: { deserialize: Fn }, raw: unknown, options: unknown) => unknown,
): void {
  const inner = server.deserializer!;
  const outer = Object.create(inner) as { deserialize: Fn };
  outer.deserialize = (raw: unknown, options?: unknown) => deserialize(inner, raw, options);
  server.deserializer = outer;
}

/** Marks the packet with its size, now or when an async deserializer resolves. */
export function whenDeserialized<W>(
  out: unknown,
  bytes: number,
  wire: W,
  remember: (packet: Packet, bytes: number, wire: W) => void,
): unknown {
  if (
    out !== null &&
    typeof out === 'object' &&
    typeof (out as Promise<Packet>).then === 'function'
  ) {
    return (out as Promise<Packet>).then((packet) => (remember(packet, bytes, wire), packet));
  }
  remember(out as Packet, bytes, wire);
  return out;
}

/** Events (no id, no reply): Server#handleEvent(pattern, packet, context) gets the packet. */
export function wrapHandleEvent(server: RpcServer): void {
  const handleEvent = server.handleEvent!;
  server.handleEvent = function (
    this: unknown,
    pattern: unknown,
    packet: Packet,
    context: unknown,
  ) {
    const bytes = packet?.[BYTES];
    if (bytes !== undefined && context !== null && typeof context === 'object') {
      attachLink(context, new RpcLink(false, bytes));
    }
    return handleEvent.call(this, pattern, packet, context);
  };
}
