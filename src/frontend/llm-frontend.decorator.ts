import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { LLM_FRONTEND_METADATA } from './frontend-metrics.constants';
import { LlmFrontendRefusalInterceptor } from './frontend-refusals';
import type { LlmFrontendEndpointOptions } from './llm-frontend-options.interface';

/**
 * Records Dynamo's LLM frontend metrics (requests by model/endpoint/type/status, in-flight,
 * duration, input/output tokens, time to first token, inter-token latency) for an
 * OpenAI-compatible handler. A unary handler returns the response object (its `usage` gives the
 * token counts); a streaming one (`stream: true`) returns an Observable or async iterable of
 * chunk objects, which are sent as Server-Sent Events (`data: {...}` then `data: [DONE]`).
 * A request refused with a 4xx (by the handler or a pipe: bad request, unknown model) is not
 * counted under the `classic` profile; under `component` it is counted in `requests_total` with
 * its `error_type` (see FRONTEND_ERROR_TYPES), which is what the interceptor is for.
 */
export const LlmFrontendEndpoint = (options: LlmFrontendEndpointOptions = {}): MethodDecorator =>
  applyDecorators(
    SetMetadata(LLM_FRONTEND_METADATA, options),
    UseInterceptors(LlmFrontendRefusalInterceptor),
  );
