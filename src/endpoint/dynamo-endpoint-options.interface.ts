export interface DynamoEndpointOptions {
  /** Default: the module's namespace. */
  namespace?: string;
  /** Default: the module's `defaultComponent`, else from the class (`BackendService` -> `backend`). */
  component?: string;
  /** Default: from the method name (`chatCompletions` -> `chat_completions`). */
  endpoint?: string;
  /**
   * Request size in bytes, for plain provider methods and RPC handlers of transports without
   * wire counts (HTTP, TCP and NATS handlers measure the wire). Receives the method's arguments.
   */
  requestSize?: (args: unknown[]) => number;
  /**
   * Response size in bytes, for the same methods as `requestSize`. Receives the resolved
   * result, or each item of a streamed result (Observable or async iterable).
   */
  responseSize?: (result: unknown) => number;
}
