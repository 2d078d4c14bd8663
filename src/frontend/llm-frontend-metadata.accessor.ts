import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LLM_FRONTEND_METADATA } from './frontend-metrics.constants';
import type { LlmFrontendEndpointOptions } from './llm-frontend-options.interface';

/** Typed reads of @LlmFrontendEndpoint() metadata; nothing else reads the key. */
@Injectable()
export class LlmFrontendMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getOptions(method: object): LlmFrontendEndpointOptions | undefined {
    return this.reflector.get<LlmFrontendEndpointOptions | undefined>(
      LLM_FRONTEND_METADATA,
      method as () => unknown,
    );
  }
}
