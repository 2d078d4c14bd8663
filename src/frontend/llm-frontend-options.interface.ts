/** An OpenAI-style request body, as far as the metrics need it. */
export interface LlmRequestBody {
  model?: unknown | undefined;
  stream?: unknown | undefined;
}

/** The options of `@LlmFrontendEndpoint()`. */
export interface LlmFrontendEndpointOptions {
  /** The `endpoint` label: `chat_completions`, `completions`, `embeddings`... Default: the method name in snake_case. */
  endpoint?: string | undefined;
  /** Finds the request body among the handler's arguments. Default: the first argument with an own `model`, `messages`, `prompt` or `input` field. */
  request?: ((args: unknown[]) => LlmRequestBody | undefined) | undefined;
  /**
   * Tokens carried by one streamed chunk. Default: 1 for a chunk with non-empty
   * `choices[].delta.content` (chat) or `choices[].text` (completions), else 0.
   */
  tokenCount?: ((chunk: unknown) => number) | undefined;
}
