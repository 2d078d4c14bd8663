/** The options of `@DynamoEndpoint()`. */
export interface DynamoEndpointOptions {
  /** Default: the module's namespace. */
  namespace?: string | undefined;
  /** Default: the module's `defaultComponent`, else from the class (`BackendService` -> `backend`). */
  component?: string | undefined;
  /** Default: from the method name (`chatCompletions` -> `chat_completions`). */
  endpoint?: string | undefined;
  /**
   * Request size in bytes, for plain provider methods and RPC handlers of transports without
   * wire counts (HTTP, TCP and NATS handlers measure the wire). Receives the method's arguments.
   */
  requestSize?: ((args: unknown[]) => number) | undefined;
  /**
   * Response size in bytes, for the same methods as `requestSize`. Receives the resolved
   * result, or each item of a streamed result (Observable or async iterable).
   */
  responseSize?: ((result: unknown) => number) | undefined;
  /**
   * Extra labels on this endpoint's worker metrics, with values taken from each call's
   * arguments: `{ model: ([req]) => req.model.toLowerCase() }`. The label names are fixed here;
   * each distinct set of values is resolved once and reused. A function that throws or returns
   * neither a string nor a number gives the empty value.
   */
  labels?: Record<string, (args: unknown[]) => unknown> | undefined;
}
