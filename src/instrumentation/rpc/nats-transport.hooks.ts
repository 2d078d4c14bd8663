import { Fn, RpcServer, TRANSPORT } from '../nest-internals';
import { attachLink, RpcLink } from './rpc-link';
import { BYTES, Packet, whenDeserialized, wrapDeserializer, wrapHandleEvent } from './rpc-packet';
import { COMMON_POINTS, HookPoint, transportHooks } from './rpc-transport-hooks';

const encoder = new TextEncoder();

interface NatsMsg {
  data?: unknown;
  reply?: string;
  respond?: Fn;
}

function rememberNatsEvent(packet: Packet, bytes: number): void {
  if (packet !== null && typeof packet === 'object' && packet.id === undefined) {
    packet[BYTES] = bytes;
  }
}

const NATS_POINTS: readonly HookPoint[] = [
  ...COMMON_POINTS,
  // Nest 11.1+ and 12 pass the request's context as the third argument.
  { name: 'ServerNats#getPublisher(natsMsg, id, context)', of: (s) => s.getPublisher, arity: 3 },
];

/** Byte hooks of a NATS server (Nest 11 and 12). */
export const NATS_HOOKS = transportHooks(TRANSPORT.NATS, 'NATS', NATS_POINTS, patchNatsServer);

function patchNatsServer(server: RpcServer): void {
  // Nest 12 deserializes the NATS message, Nest 11 its data: the payload either way.
  wrapDeserializer(server, (inner, raw, options) => {
    const out = inner.deserialize(raw, options);
    const data = raw instanceof Uint8Array ? raw : (raw as NatsMsg | undefined)?.data;
    if (!(data instanceof Uint8Array)) return out;
    // Requests are measured in getPublisher, which sees the message itself.
    return whenDeserialized(out, data.length, undefined, rememberNatsEvent);
  });
  wrapHandleEvent(server);

  // ServerNats#getPublisher(natsMsg, id, context) runs for each request before its handler;
  // what it returns publishes each reply packet: serialize, then natsMsg.respond(data, opts).
  const getPublisher = server.getPublisher!;
  server.getPublisher = function (this: unknown, natsMsg: NatsMsg, id: unknown, context: unknown) {
    const publish = getPublisher.call(this, natsMsg, id, context) as Fn;
    const data = natsMsg?.data;
    if (!(data instanceof Uint8Array) || context === null || typeof context !== 'object') {
      return publish;
    }
    const link = new RpcLink(true, data.length);
    attachLink(context, link);
    const respond = natsMsg.respond;
    if (natsMsg.reply && typeof respond === 'function') {
      // The JSON string is encoded here, as nats' publish() would, and handed over as bytes:
      // the size comes free and nothing is encoded twice.
      natsMsg.respond = function (this: unknown, payload: unknown, opts?: unknown) {
        const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
        if (bytes instanceof Uint8Array) link.responseBytes += bytes.length;
        return respond.call(this, bytes, opts);
      };
    }
    return (packet: { isDisposed?: boolean } | undefined) => {
      let threw = true;
      try {
        const result = publish(packet);
        threw = false;
        return result;
      } finally {
        if (packet?.isDisposed) link.end(threw ? 'handler_error' : undefined);
      }
    };
  };
}
