import { Buffer } from 'node:buffer';
import { Fn, RpcServer, TRANSPORT } from '../nest-internals';
import { attachLink, RpcLink } from './rpc-link';
import { BYTES, Packet, whenDeserialized, wrapDeserializer, wrapHandleEvent } from './rpc-packet';
import { COMMON_POINTS, HookPoint, transportHooks } from './rpc-transport-hooks';

/** On a JsonSocket. */
const WIRE = Symbol('dynamo.rpc.wire');

interface JsonSocket {
  isClosed?: boolean;
  emitMessage: (text: string) => void;
  formatMessageData: (message: { id?: unknown } | undefined) => unknown;
  on?: (event: string, listener: () => void) => unknown;
  [WIRE]?: SocketWire;
}

/** Per connection: what the socket counted, and the requests still waiting for replies. */
class SocketWire {
  /** Payload bytes of every frame formatted on this socket. */
  written = 0;
  /** A reply is being sent through a linked `respond` (any other reply had no handler). */
  replying = false;
  /** Request packets (marked with their bytes) by id, until the request's first reply. */
  readonly pending = new Map<unknown, NonNullable<Packet>>();
  /** Links whose last reply has not gone out, with their context (for the close). */
  readonly open = new Map<RpcLink, { getPattern?(): unknown }>();
}

/**
 * JsonSocket#handleMessage -> emitMessage(text) -> 'message' -> ServerTCP#handleMessage ->
 * deserializer.deserialize(raw) all run synchronously: the frame just received is handed over
 * from the socket to the deserializer through this one object per server, with no allocation.
 */
interface Ingress {
  wire: SocketWire | undefined;
  bytes: number;
}

const TCP_POINTS: readonly HookPoint[] = [
  ...COMMON_POINTS,
  { name: 'ServerTCP#getSocketInstance(socket)', of: (s) => s.getSocketInstance, arity: 1 },
  // Nest 12: the one place that sees each request's context and reply packets together.
  { name: 'Server#handleRequest(context, produce, respond)', of: (s) => s.handleRequest, arity: 3 },
  // The socket class (JsonSocket unless the app sets `socketClass`) hands over each frame.
  { name: 'JsonSocket#emitMessage(text)', of: (s) => socketMethod(s, 'emitMessage'), arity: 1 },
  {
    name: 'JsonSocket#formatMessageData(message)',
    of: (s) => socketMethod(s, 'formatMessageData'),
    arity: 1,
  },
];

/** A method of the server's socket class; any function when the server names no class. */
function socketMethod(server: RpcServer, name: string): unknown {
  const cls = server.socketClass;
  return typeof cls === 'function' ? (cls.prototype as Record<string, unknown>)[name] : Function;
}

/** Byte hooks of a TCP server (Nest 12's ServerTCP with `handleRequest`). */
export const TCP_HOOKS = transportHooks(TRANSPORT.TCP, 'TCP', TCP_POINTS, patchTcpServer);

function patchTcpServer(server: RpcServer): void {
  const ingress: Ingress = { wire: undefined, bytes: 0 };
  const getSocketInstance = server.getSocketInstance!;
  server.getSocketInstance = function (this: unknown, socket: unknown) {
    const jsonSocket = getSocketInstance.call(this, socket) as JsonSocket;
    patchJsonSocket(jsonSocket, ingress);
    return jsonSocket;
  };
  // ServerTCP#handleMessage calls deserializer.deserialize(raw) while emitMessage runs.
  wrapDeserializer(server, (inner, raw, options) => {
    const wire = ingress.wire;
    const bytes = ingress.bytes;
    ingress.wire = undefined;
    const out = inner.deserialize(raw, options);
    return wire === undefined ? out : whenDeserialized(out, bytes, wire, rememberTcpPacket);
  });
  wrapHandleEvent(server);

  // Server#handleRequest(context, produce, respond): `respond(data)` assigns the id, serializes
  // and writes the frame synchronously, so the bytes JsonSocket#formatMessageData counted during
  // that call are this reply's. The last reply packet carries `isDisposed`.
  const handleRequest = server.handleRequest!;
  server.handleRequest = function (this: unknown, context: unknown, produce: Fn, respond: Fn) {
    const ctx = context as { getSocketRef?(): unknown; getPattern?(): unknown } | undefined;
    const socket =
      typeof ctx?.getSocketRef === 'function' ? (ctx.getSocketRef() as JsonSocket) : undefined;
    const wire = socket?.[WIRE];
    if (!wire) return handleRequest.call(this, context, produce, respond);
    const link = new RpcLink(true);
    attachLink(ctx!, link);
    if (!socket!.isClosed) wire.open.set(link, ctx!);
    return handleRequest.call(
      this,
      context,
      produce,
      (data: { id?: unknown; isDisposed?: boolean }) => {
        const before = wire.written;
        let threw = true;
        wire.replying = true;
        try {
          const result = respond(data);
          threw = false;
          return result;
        } finally {
          wire.replying = false;
          const sent = wire.written - before;
          link.responseBytes += sent;
          if (link.requestBytes === undefined) link.requestBytes = takePending(wire, data?.id);
          if (data?.isDisposed) {
            wire.open.delete(link);
            // Nothing written on a closed socket: JsonSocket drops replies once the peer is gone.
            link.end(
              threw ? 'handler_error' : sent > 0 || !socket!.isClosed ? undefined : 'cancelled',
            );
          }
        }
      },
    );
  };
}

/** An event carries its size to handleEvent; a request waits for its first reply by id. */
function rememberTcpPacket(packet: Packet, bytes: number, wire: SocketWire | undefined): void {
  if (packet === null || typeof packet !== 'object') return;
  packet[BYTES] = bytes;
  if (packet.id !== undefined) wire!.pending.set(packet.id, packet);
}

function takePending(wire: SocketWire, id: unknown): number {
  const packet = wire.pending.get(id);
  if (packet === undefined) return 0;
  wire.pending.delete(id);
  return packet[BYTES] ?? 0;
}

function patchJsonSocket(socket: JsonSocket, ingress: Ingress): void {
  const emitMessage = socket.emitMessage;
  const formatMessageData = socket.formatMessageData;
  // A custom socketClass that is not a JsonSocket: no bytes.
  if (typeof emitMessage !== 'function' || typeof formatMessageData !== 'function') return;
  const wire = new SocketWire();
  socket[WIRE] = wire;
  // JsonSocket#handleMessage -> emitMessage(text): `text` is one frame's JSON, as received.
  socket.emitMessage = function (this: JsonSocket, text: string) {
    ingress.wire = wire;
    ingress.bytes = Buffer.byteLength(text, 'utf8');
    try {
      return emitMessage.call(this, text);
    } finally {
      ingress.wire = undefined;
    }
  };
  // JsonSocket#handleSend writes formatMessageData(message) = "<length>#<json>".
  socket.formatMessageData = function (this: JsonSocket, message: { id?: unknown } | undefined) {
    const frame = formatMessageData.call(this, message);
    if (typeof frame === 'string') {
      wire.written += Buffer.byteLength(frame, 'utf8') - (frame.indexOf('#') + 1);
    }
    // ServerTCP answers a pattern without handler itself, outside handleRequest.
    if (!wire.replying && message?.id !== undefined) wire.pending.delete(message.id);
    return frame;
  };
  // The client left: its calls end now, even a stream the handler would go on producing.
  socket.on?.('close', () => {
    for (const [link, context] of wire.open) {
      if (link.requestBytes === undefined) link.requestBytes = takePendingByPattern(wire, context);
      link.end('cancelled');
    }
    wire.open.clear();
    wire.pending.clear();
  });
}

/**
 * A request that got no reply before its client left never learnt its id; one of the unreplied
 * requests with its pattern is taken instead (per endpoint, the totals are exact).
 */
function takePendingByPattern(wire: SocketWire, context: { getPattern?(): unknown }): number {
  const pattern = typeof context.getPattern === 'function' ? context.getPattern() : undefined;
  for (const [id, packet] of wire.pending) {
    if (patternString(packet.pattern) === pattern) {
      wire.pending.delete(id);
      return packet[BYTES] ?? 0;
    }
  }
  return 0;
}

function patternString(pattern: unknown): unknown {
  if (typeof pattern === 'string') return pattern;
  try {
    return JSON.stringify(pattern);
  } catch {
    return undefined;
  }
}
