import { Buffer } from 'node:buffer';
import type { WorkerErrorType } from '../core';

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

/** How a call ended, seen from the transport: replied (undefined) or why not. */
export type RpcLinkEnd = WorkerErrorType | undefined;
type EndListener = (link: RpcLink, reason: RpcLinkEnd) => void;

/** What one handler call learns from its transport. */
export class RpcLink {
  /** Response payload bytes sent so far (every reply packet of a stream). */
  responseBytes = 0;
  private ended = false;
  private reason: RpcLinkEnd;
  private listener: EndListener | undefined;
  private claimed = false;

  constructor(
    /** Request/response (ends with its last reply) rather than an event (no reply). */
    readonly expectsReply: boolean,
    /** Request payload bytes; TCP requests learn theirs at the first reply (or the close). */
    public requestBytes?: number,
  ) {}

  /** Whether a handler call already listens for the end (an interceptor may call twice). */
  get isClaimed(): boolean {
    return this.claimed;
  }

  /** The handler wrapper's side: `listener` runs once, at the end (now, if it is over already). */
  claim(listener: EndListener): void {
    this.claimed = true;
    if (this.ended) listener(this, this.reason);
    else this.listener = listener;
  }

  /** The transport's side: the last reply packet went out, or can no longer. */
  end(reason?: RpcLinkEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.(this, reason);
  }
}

const PATCHED = Symbol('dynamo.rpc.patched');
/** On the RPC context object. */
const LINK = Symbol('dynamo.rpc.link');
/** On a deserialized packet: its payload bytes as received. */
const BYTES = Symbol('dynamo.rpc.bytes');
/** On a JsonSocket. */
const WIRE = Symbol('dynamo.rpc.wire');

/** Transport ids of @nestjs/microservices' `Transport` enum (stable since Nest 6). */
const TCP = 0;
const NATS = 2;

/** The link the transport put on this RPC context, if any. */
export function rpcLinkOf(context: unknown): RpcLink | undefined {
  return context !== null && typeof context === 'object'
    ? (context as Record<symbol, RpcLink | undefined>)[LINK]
    : undefined;
}

type Fn = (...args: any[]) => any;
interface RpcServer {
  transportId?: unknown;
  deserializer?: { deserialize: Fn };
  handleEvent?: Fn;
  handleRequest?: Fn;
  getSocketInstance?: Fn;
  getPublisher?: Fn;
  [PATCHED]?: true;
}
type Packet = { id?: unknown; pattern?: unknown; [BYTES]?: number } | undefined;

/**
 * Installs the byte hooks on one microservice server (once; a server of another transport, or
 * one whose hook points are missing, is only marked).
 */
export function instrumentRpcServer(target: unknown): void {
  if (target === null || typeof target !== 'object') return;
  const server = target as RpcServer;
  if (server[PATCHED]) return;
  server[PATCHED] = true;
  const common =
    typeof server.handleEvent === 'function' &&
    typeof server.deserializer?.deserialize === 'function';
  if (!common) return;
  if (
    server.transportId === TCP &&
    typeof server.getSocketInstance === 'function' &&
    // Nest 12: the one place that sees each request's context and reply packets together.
    typeof server.handleRequest === 'function'
  ) {
    patchTcpServer(server);
  } else if (server.transportId === NATS && typeof server.getPublisher === 'function') {
    patchNatsServer(server);
  }
}

/**
 * Servers read `this.deserializer` for every message: the wrapper sees the raw message and can
 * mark the packet it produced (synchronously or, for an async deserializer, when it resolves).
 */
function wrapDeserializer(
  server: RpcServer,
  deserialize: (inner: { deserialize: Fn }, raw: unknown, options: unknown) => unknown,
): void {
  const inner = server.deserializer!;
  const outer = Object.create(inner) as { deserialize: Fn };
  outer.deserialize = (raw: unknown, options?: unknown) => deserialize(inner, raw, options);
  server.deserializer = outer;
}

/** Marks the packet with its size, now or when an async deserializer resolves. */
function whenDeserialized(
  out: unknown,
  bytes: number,
  wire: SocketWire | undefined,
  remember: (packet: Packet, bytes: number, wire: SocketWire | undefined) => void,
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
function wrapHandleEvent(server: RpcServer): void {
  const handleEvent = server.handleEvent!;
  server.handleEvent = function (
    this: unknown,
    pattern: unknown,
    packet: Packet,
    context: unknown,
  ) {
    const bytes = packet?.[BYTES];
    if (bytes !== undefined && context !== null && typeof context === 'object') {
      (context as Record<symbol, RpcLink>)[LINK] = new RpcLink(false, bytes);
    }
    return handleEvent.call(this, pattern, packet, context);
  };
}

// ------------------------------------------------------------------------------------- TCP

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
 * through these two variables, with no allocation.
 */
let ingressWire: SocketWire | undefined;
let ingressBytes = 0;

function patchTcpServer(server: RpcServer): void {
  const getSocketInstance = server.getSocketInstance!;
  server.getSocketInstance = function (this: unknown, socket: unknown) {
    const jsonSocket = getSocketInstance.call(this, socket) as JsonSocket;
    patchJsonSocket(jsonSocket);
    return jsonSocket;
  };
  // ServerTCP#handleMessage calls deserializer.deserialize(raw) while emitMessage runs.
  wrapDeserializer(server, (inner, raw, options) => {
    const wire = ingressWire;
    const bytes = ingressBytes;
    ingressWire = undefined;
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
    (ctx as Record<symbol, RpcLink>)[LINK] = link;
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

function patchJsonSocket(socket: JsonSocket): void {
  const emitMessage = socket.emitMessage;
  const formatMessageData = socket.formatMessageData;
  // A custom socketClass that is not a JsonSocket: no bytes.
  if (typeof emitMessage !== 'function' || typeof formatMessageData !== 'function') return;
  const wire = new SocketWire();
  socket[WIRE] = wire;
  // JsonSocket#handleMessage -> emitMessage(text): `text` is one frame's JSON, as received.
  socket.emitMessage = function (this: JsonSocket, text: string) {
    ingressWire = wire;
    ingressBytes = Buffer.byteLength(text, 'utf8');
    try {
      return emitMessage.call(this, text);
    } finally {
      ingressWire = undefined;
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

// ------------------------------------------------------------------------------------ NATS

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
    (context as Record<symbol, RpcLink>)[LINK] = link;
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
