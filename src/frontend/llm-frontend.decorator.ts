import { SetMetadata } from '@nestjs/common';
import { LLM_FRONTEND_METADATA } from './frontend-metrics.constants';
import type { LlmFrontendEndpointOptions } from './llm-frontend-options.interface';

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
