import { SetMetadata } from '@nestjs/common';
import { LLM_FRONTEND_METADATA } from './frontend-metrics.constants';

/** An OpenAI-style request body, as far as the metrics need it. */
export interface LlmRequestBody {
  model?: unknown;
  stream?: unknown;
}

export interface LlmFrontendEndpointOptions {
  /** The `endpoint` label: `chat_completions`, `completions`, `embeddings`... Default: the method name in snake_case. */
  endpoint?: string;
  /** Finds the request body among the handler's arguments. Default: the first argument with a string `model`. */
  request?: (args: unknown[]) => LlmRequestBody | undefined;
  /**
   * Tokens carried by one streamed chunk. Default: 1 for a chunk with non-empty
   * `choices[].delta.content` (chat) or `choices[].text` (completions), else 0.
   */
  tokenCount?: (chunk: unknown) => number;
}

/**
 * Records Dynamo's LLM frontend metrics (requests by model/endpoint/type/status, in-flight,
 * duration, input/output tokens, time to first token, inter-token latency) for an
 * OpenAI-compatible handler. A unary handler returns the response object (its `usage` gives the
 * token counts); a streaming one (`stream: true`) returns an Observable or async iterable of
 * chunk objects, which are sent as Server-Sent Events (`data: {...}` then `data: [DONE]`).
 * A handler that throws a 4xx HttpException (bad request, unknown model) is not counted.
 */
export const LlmFrontendEndpoint = (options: LlmFrontendEndpointOptions = {}): MethodDecorator =>
  SetMetadata(LLM_FRONTEND_METADATA, options);
