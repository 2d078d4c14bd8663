export type Method = (...args: unknown[]) => unknown;
export type HandlerKind = 'http' | 'rpc' | 'plain';

/**
 * How a handler hands the recorder its transport object: an HTTP handler its response (or
 * request), an RPC handler its context.
 */
export interface HandlerCarrier {
  /** Argument index of the response, request or RPC context; -1 when there is none. */
  index: number;
  type: 'response' | 'request' | 'rpc-context';
  /** The handler writes the response itself (@Res() without passthrough). */
  manual: boolean;
  /**
   * RPC: the context argument is a hidden one the library added; the method is called with its
   * first `strip` arguments only, as Nest would call it without the library.
   */
  strip?: number;
}

/** What a wrapper calls for one instance of the class. */
export interface MethodRecorder {
  invoke(self: unknown, original: Method, args: unknown[]): unknown;
}

/** Per class and method, shared by every application in the process. */
export interface InstrumentedMethod<R extends MethodRecorder> {
  readonly kind: HandlerKind;
  readonly carrier: HandlerCarrier;
  /** Per-instance recorders: each application binds its own instances. */
  readonly recorders: WeakMap<object, R>;
  /**
   * For HTTP instances Nest creates per request (request-scoped classes), which no app binds
   * ahead: the recorder of the app whose HTTP server the request came in on.
   */
  readonly byServer: WeakMap<object, R>;
  /** Otherwise, for such instances: the recorder bound last (one app per process is the rule). */
  fallback?: R;
}

/** No transport object: plain provider methods, and handlers the hooks cannot reach. */
export const NO_CARRIER: HandlerCarrier = Object.freeze({
  index: -1,
  type: 'response',
  manual: false,
});

/** One decorated method of one instance, as the explorer hands it to a feature. */
export interface InstrumentedTarget<R extends MethodRecorder> {
  readonly instance: object;
  readonly className: string;
  readonly methodName: string;
  readonly state: InstrumentedMethod<R>;
}

/**
 * A method decorator's feature, as the explorer sees it: which methods carry it, and a recorder
 * per instance. Features implement it; the explorer never imports a feature.
 */
export interface MethodInstrumentation<O = unknown, R extends MethodRecorder = MethodRecorder> {
  /** Marks the wrapper this feature installs: one symbol per feature and process. */
  readonly marker: symbol;
  /** The decorator's name as users write it, for the start-up log line. */
  readonly decorator: string;
  /** The decorator's options on `method`; undefined when the method does not carry it. */
  optionsOf(method: object): O | undefined;
  /** The recorder of one instance's method in this application, and a line for the log. */
  createRecorder(target: InstrumentedTarget<R>, options: O): { recorder: R; description: string };
}

/** Injection token of the features the explorer instruments, in wrapping order. */
export const METHOD_INSTRUMENTATIONS = Symbol('DYNAMO_METHOD_INSTRUMENTATIONS');
