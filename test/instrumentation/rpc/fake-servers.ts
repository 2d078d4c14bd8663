/**
 * Microservice servers shaped like Nest 12's ServerTCP and ServerNats, as far as the byte hooks
 * touch them: the same methods, called in the same order with the same arguments, without
 * sockets or a NATS connection. Not a test file.
 */

type Listener = () => void;

/** A JsonSocket: receives whole frames (`emitMessage`), formats `<length>#<json>` frames. */
export class FakeJsonSocket {
  readonly frames: string[] = [];
  isClosed = false;
  private readonly closeListeners: Listener[] = [];

  constructor(private readonly onMessage: (message: unknown) => void) {}

  emitMessage(text: string): void {
    this.onMessage(JSON.parse(text));
  }

  formatMessageData(message: unknown): string {
    const json = JSON.stringify(message);
    return `${Buffer.byteLength(json)}#${json}`;
  }

  sendMessage(message: unknown): void {
    const frame = this.formatMessageData(message);
    if (!this.isClosed) this.frames.push(frame);
  }

  on(event: string, listener: Listener): this {
    if (event === 'close') this.closeListeners.push(listener);
    return this;
  }

  close(): void {
    this.isClosed = true;
    for (const listener of this.closeListeners) listener();
  }
}

export interface TcpRequest {
  context: { getSocketRef(): FakeJsonSocket; getPattern(): string };
  respond: (data: { response?: unknown; err?: unknown; isDisposed?: boolean }) => void;
}

export class FakeTcpServer {
  readonly transportId: number = 0;
  readonly socketClass: Function = FakeJsonSocket;
  readonly requests: TcpRequest[] = [];
  readonly events: Array<{ pattern: string; context: object }> = [];
  deserializer = { deserialize: (raw: unknown, _options?: unknown): unknown => raw };

  getSocketInstance(_socket: unknown): FakeJsonSocket {
    const socket: FakeJsonSocket = new FakeJsonSocket((raw) => this.handleMessage(socket, raw));
    return socket;
  }

  /** ServerTCP#handleMessage: deserialize, then an event or a request with its context. */
  private handleMessage(socket: FakeJsonSocket, raw: unknown): void {
    const packet = this.deserializer.deserialize(raw) as { id?: string; pattern: string };
    const context = { getSocketRef: () => socket, getPattern: () => packet.pattern };
    if (packet.id === undefined) return void this.handleEvent(packet.pattern, packet, context);
    this.handleRequest(
      context,
      async () => undefined,
      (data: object) => {
        // As Nest's respond: the id goes on the outgoing packet, then the socket writes it.
        Object.assign(data, { id: packet.id });
        socket.sendMessage(data);
      },
    );
  }

  handleEvent(pattern: string, _packet: unknown, context: object): void {
    this.events.push({ pattern, context });
  }

  handleRequest(context: unknown, _produce: unknown, respond: unknown): void {
    this.requests.push({ context, respond } as TcpRequest);
  }
}

export interface NatsMessage {
  data: Uint8Array;
  reply?: string;
  respond: (payload: unknown, options?: unknown) => boolean;
}

export class FakeNatsServer {
  readonly transportId: number = 2;
  readonly events: Array<{ channel: string; context: object }> = [];
  deserializer = {
    // Nest 12 deserializes the NATS message itself.
    deserialize: (msg: unknown, _options?: unknown): unknown =>
      JSON.parse(new TextDecoder().decode((msg as NatsMessage).data)),
  };

  /** ServerNats#handleMessage, up to where the handler would run. */
  handleMessage(channel: string, natsMsg: NatsMessage) {
    const message = this.deserializer.deserialize(natsMsg, { channel }) as { id?: string };
    const context = { getSubject: () => channel };
    if (message.id === undefined) {
      this.handleEvent(channel, message, context);
      return { context, publish: undefined };
    }
    return { context, publish: this.getPublisher(natsMsg, message.id, context) };
  }

  handleEvent(channel: string, _message: unknown, context: object): void {
    this.events.push({ channel, context });
  }

  getPublisher(natsMsg: NatsMessage, id: string, _context: unknown) {
    return (response: object) => natsMsg.respond(JSON.stringify({ ...response, id }));
  }
}

/** A NATS message as the client library delivers it; `sent` collects what `respond` got. */
export function natsMessage(text: string, sent: unknown[], reply = 'inbox.1'): NatsMessage {
  return {
    data: new TextEncoder().encode(text),
    reply,
    respond: (payload) => (sent.push(payload), true),
  };
}
